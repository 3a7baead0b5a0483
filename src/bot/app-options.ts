/**
 * Settings of the bot that are not Probot's own. Secrets come from the
 * environment, never from the repository.
 */
import { readLinkAllowList } from "../common/sanitize-markdown.js";
import type { IncidentPolicy } from "../decision/incident-policy.js";
import { readLlmOperatorSettings, type LlmOperatorSettings } from "../decision/llm-endpoint.js";
import type { OutcomeSink } from "../operations/incident-memory.js";
import { deriveMarkerKey } from "../github/marker-trust.js";
import { readReportAuthors } from "../github/report-marker.js";
import { readAlertCredentials, type AlertCredential } from "./alert-credentials.js";
import {
  readCardSummarySource,
  readModelCardSource,
  type CardSummarySource,
  type ModelCardSource,
} from "./card-summary.js";

/** Settings of {@link createBotApp}. */
export interface BotAppOptions {
  /** Path of the alert route. Default `/api/alerts`. */
  readonly alertsPath?: string;
  /** `Authorization: Bearer` token accepted on the alert route (`ALERT_TOKEN`). */
  readonly alertToken?: string;
  /** Secret of the HMAC-SHA256 signature header (`ALERT_HMAC_SECRET`). */
  readonly alertHmacSecret?: string;
  /** Credentials bound to repositories and environments (`ALERT_CREDENTIALS`). */
  readonly alertCredentials?: readonly AlertCredential[];
  /** Largest alert body, bytes. Default 1 MiB. */
  readonly maxAlertBytes?: number;
  /** `owner/name` for alerts without a `repository` label (`DEFAULT_REPOSITORY`). */
  readonly defaultRepository?: string;
  /** JSON-lines file outcomes are appended to (`OUTCOME_LOG`). */
  readonly outcomeLogPath?: string;
  /** Explicit policy; otherwise `policyKind` picks one. */
  readonly policy?: IncidentPolicy;
  /** `engine` (the decision engine, default) or `guardrail` (the plain rules) (`BOT_POLICY`). */
  readonly policyKind?: "engine" | "guardrail";
  /**
   * A local JSONL decision log for the engine (`DECISION_LOG`), for a single
   * bot process. Without it the log lives in each repository, on
   * `decisionLogBranch`, so replicas share it and keep no state.
   */
  readonly decisionLogPath?: string;
  /** Branch of the repository decision log (`DECISION_LOG_BRANCH`). Default `meta-controller/state`. */
  readonly decisionLogBranch?: string;
  /** OpenAI-compatible API key for the advisor (`OPENAI_API_KEY`); template diagnosis without. */
  readonly openaiApiKey?: string;
  /** The operator's LLM endpoint and allow-lists (`OPENAI_BASE_URL`, `OPENAI_MODEL`, `LLM_ALLOWED_HOSTS`, `LLM_ALLOWED_MODELS`). */
  readonly llm?: Omit<LlmOperatorSettings, "apiKey">;
  /** Hosts posts may link to (`LINK_ALLOWED_HOSTS`, default `github.com`). */
  readonly linkHosts?: readonly string[];
  /** Seed of the engine's exploration (`BOT_SEED`). */
  readonly seed?: number;
  /**
   * Directory of this replica's alert journal (`BOT_STATE_DIR`): alerts are
   * kept there before the 202 and replayed after a restart. One per replica;
   * a fresh temporary directory (with a warning) when unset.
   */
  readonly stateDir?: string;
  readonly outcomes?: OutcomeSink;
  readonly cardSummary?: CardSummarySource;
  /** The registry's cards, which a bare `/deploy` checks the reported model against (`MODEL_REGISTRY`). */
  readonly modelCards?: ModelCardSource;
  /** Logins whose comments carry the Action's report (`REPORT_AUTHORS`). Default `github-actions[bot]`. */
  readonly reportAuthors?: readonly string[];
  /** Key of the bot's sealed markers (`MARKER_SECRET`, else derived from `WEBHOOK_SECRET`). */
  readonly markerKey?: string;
  /** Login of the app's bot user (`BOT_LOGIN`); asked of GitHub (`GET /app`) when absent. */
  readonly botLogin?: string;
  readonly now?: () => Date;
}

/** Reads the settings from environment variables. */
export function readBotAppOptions(env: NodeJS.ProcessEnv): BotAppOptions {
  const maxBytes = Number(env.ALERT_MAX_BYTES);
  const seed = Number(env.BOT_SEED);
  const cardSummary = readCardSummarySource(env);
  const modelCards = readModelCardSource(env);
  const alertCredentials = readAlertCredentials(env);
  const markerSecret = env.MARKER_SECRET || env.WEBHOOK_SECRET;
  return {
    ...(modelCards ? { modelCards } : {}),
    ...(alertCredentials.length > 0 ? { alertCredentials } : {}),
    reportAuthors: readReportAuthors(env),
    ...(markerSecret ? { markerKey: deriveMarkerKey(env.MARKER_SECRET, env.WEBHOOK_SECRET ?? "") } : {}),
    ...(env.BOT_LOGIN ? { botLogin: env.BOT_LOGIN } : {}),
    ...(cardSummary ? { cardSummary } : {}),
    ...(env.BOT_POLICY === "guardrail" || env.BOT_POLICY === "engine" ? { policyKind: env.BOT_POLICY } : {}),
    ...(env.DECISION_LOG ? { decisionLogPath: env.DECISION_LOG } : {}),
    ...(env.DECISION_LOG_BRANCH ? { decisionLogBranch: env.DECISION_LOG_BRANCH } : {}),
    ...(env.OPENAI_API_KEY ? { openaiApiKey: env.OPENAI_API_KEY } : {}),
    llm: readLlmOperatorSettings(env),
    linkHosts: readLinkAllowList(env),
    ...(Number.isInteger(seed) ? { seed } : {}),
    ...(env.ALERT_TOKEN ? { alertToken: env.ALERT_TOKEN } : {}),
    ...(env.ALERT_HMAC_SECRET ? { alertHmacSecret: env.ALERT_HMAC_SECRET } : {}),
    ...(env.DEFAULT_REPOSITORY ? { defaultRepository: env.DEFAULT_REPOSITORY } : {}),
    ...(env.OUTCOME_LOG ? { outcomeLogPath: env.OUTCOME_LOG } : {}),
    ...(env.BOT_STATE_DIR ? { stateDir: env.BOT_STATE_DIR } : {}),
    ...(Number.isInteger(maxBytes) && maxBytes > 0 ? { maxAlertBytes: maxBytes } : {}),
  };
}
