/**
 * Settings of the bot that are not Probot's own. Secrets come from the
 * environment, never from the repository.
 */
import type { IncidentPolicy } from "./incident-policy.js";
import type { OutcomeSink } from "./incident-memory.js";
import type { CardSummarySource } from "./operations.js";

/** Settings of {@link createBotApp}. */
export interface BotAppOptions {
  /** Path of the alert route. Default `/api/alerts`. */
  readonly alertsPath?: string;
  /** `Authorization: Bearer` token accepted on the alert route (`ALERT_TOKEN`). */
  readonly alertToken?: string;
  /** Secret of the HMAC-SHA256 signature header (`ALERT_HMAC_SECRET`). */
  readonly alertHmacSecret?: string;
  /** Largest alert body, bytes. Default 1 MiB. */
  readonly maxAlertBytes?: number;
  /** `owner/name` for alerts without a `repository` label (`DEFAULT_REPOSITORY`). */
  readonly defaultRepository?: string;
  /** JSON-lines file outcomes are appended to (`OUTCOME_LOG`). */
  readonly outcomeLogPath?: string;
  readonly policy?: IncidentPolicy;
  readonly outcomes?: OutcomeSink;
  readonly cardSummary?: CardSummarySource;
  readonly now?: () => Date;
}

/** Reads the settings from environment variables. */
export function readBotAppOptions(env: NodeJS.ProcessEnv): BotAppOptions {
  const maxBytes = Number(env.ALERT_MAX_BYTES);
  return {
    ...(env.ALERT_TOKEN ? { alertToken: env.ALERT_TOKEN } : {}),
    ...(env.ALERT_HMAC_SECRET ? { alertHmacSecret: env.ALERT_HMAC_SECRET } : {}),
    ...(env.DEFAULT_REPOSITORY ? { defaultRepository: env.DEFAULT_REPOSITORY } : {}),
    ...(env.OUTCOME_LOG ? { outcomeLogPath: env.OUTCOME_LOG } : {}),
    ...(Number.isInteger(maxBytes) && maxBytes > 0 ? { maxAlertBytes: maxBytes } : {}),
  };
}
