/**
 * The bot's incident path in one call: fold the decision log, ask the
 * advisor (or build the template), decide inside the guardrails, render the
 * sanitised comment and produce the log line to append. No I/O besides the
 * advisor's HTTP call; the caller reads the log and writes the results.
 */
import type { Random } from "../common/random.js";
import type { Logger } from "../common/logger.js";
import { adviseIncident } from "./advise.js";
import type { AdvisorInput } from "./advisor-input.js";
import { buildDecisionRecord, decide, type Decision } from "./decide.js";
import {
  formatLogLine,
  parseDecisionLog,
  type DecisionRecord,
  type LogRecord,
  type OutcomeRecord,
} from "./decision-log.js";
import type { Diagnosis } from "./diagnosis.js";
import {
  computeGuardrailHold,
  computeGuardrails,
  HOLDING_GUARDRAILS,
  type GuardrailHold,
} from "./guardrails.js";
import type { Incident } from "./incident.js";
import { resolveLlmEndpoint, type LlmOperatorSettings } from "./llm-endpoint.js";
import { resolvePolicy, type PolicySpec } from "./policy-spec.js";
import { foldDecisionLog, recentAutomatedActions } from "./policy-state.js";
import { renderDiagnosisMarkdown } from "./render-diagnosis.js";

/** What {@link processIncident} needs. */
export interface ProcessIncidentOptions {
  /** The environment's `policy` section (absent: defaults). */
  readonly policySpec?: PolicySpec;
  /** The decision log's JSONL text (empty when there is none yet); ignored when `records` is given. */
  readonly logText?: string;
  /** The decision log, already parsed (a store's `load()`). */
  readonly records?: readonly LogRecord[];
  /** Where the log came from, for error messages. */
  readonly logName?: string;
  readonly now: Date;
  readonly random: Random;
  /** The environment's quarantined digests. */
  readonly quarantinedDigests: readonly string[];
  /** The environment's `rollback.automatic`; false masks rollback and abort. Default true. */
  readonly automaticRollback?: boolean;
  /**
   * Decide by the guardrails' baseline alone (the bandit off), for when the
   * log could not be read: the guardrails are a complete policy on their own.
   */
  readonly baselineOnly?: boolean;
  /** Extra telemetry for the advisor. */
  readonly telemetry?: Omit<AdvisorInput, "incident">;
  /** The API key comes from the bot's environment; without one the template is used. */
  readonly apiKey: string | undefined;
  /**
   * The operator's endpoint, model and allow-lists (the bot's environment);
   * the repository's `policy.advisor` may only choose among them. Absent:
   * the OpenAI API and nothing else.
   */
  readonly llm?: Omit<LlmOperatorSettings, "apiKey">;
  /** Hosts comment links may point to (the repository's, the registry's). */
  readonly allowedHosts: readonly string[];
  readonly fetch?: typeof fetch;
  readonly logger?: Logger;
}

/** Everything the bot needs to act on and record one incident. */
export interface ProcessedIncident {
  readonly decision: Decision;
  readonly diagnosis: Diagnosis;
  /** The comment to post, already sanitised. */
  readonly markdown: string;
  readonly record: DecisionRecord;
  /**
   * The time-based guardrail that held back the action the rules would
   * have taken (the baseline's first choice), when one did.
   */
  readonly hold: GuardrailHold | undefined;
  /** The line to append to the decision log. */
  readonly logLine: string;
}

const NO_OPERATOR_SETTINGS: Omit<LlmOperatorSettings, "apiKey"> = {
  baseURL: undefined,
  model: undefined,
  allowedHosts: [],
  allowedModels: [],
};

/** Runs the decision path for one incident. */
export async function processIncident(
  incident: Incident,
  options: ProcessIncidentOptions,
): Promise<ProcessedIncident> {
  const resolved = resolvePolicy(options.policySpec);
  const policy =
    options.baselineOnly === true
      ? { ...resolved, bandit: { ...resolved.bandit, enabled: false } }
      : resolved;
  const automatic =
    options.automaticRollback === undefined ? {} : { automaticRollback: options.automaticRollback };
  const records =
    options.records ?? parseDecisionLog(options.logText ?? "", options.logName ?? "decisions.jsonl");
  const state = foldDecisionLog(records, { policy, now: options.now });
  const quarantinedDigests = new Set(options.quarantinedDigests);
  // The template suggests the guardrails' baseline; the advisor's answer may differ, and only breaks ties.
  const guardrailContext = {
    policy,
    now: options.now,
    recentAutomated: recentAutomatedActions(state, options.now),
    quarantinedDigests,
    ...automatic,
  };
  const guard = computeGuardrails(incident, guardrailContext);
  const baseline = guard.baseline;
  const recent = records
    .filter((r): r is DecisionRecord => r.type === "decision" && r.environment === incident.environment)
    .slice(-10);
  const endpoint = resolveLlmEndpoint(
    { ...NO_OPERATOR_SETTINGS, ...options.llm, apiKey: options.apiKey },
    { baseUrl: options.policySpec?.advisor?.base_url, model: options.policySpec?.advisor?.model },
  );
  const diagnosis = await adviseIncident(
    { ...options.telemetry, incident, recent_decisions: recent },
    {
      apiKey: policy.advisor.enabled === false ? undefined : options.apiKey,
      model: endpoint.ok ? endpoint.model : policy.advisor.model,
      timeoutMs: policy.advisor.timeoutMs,
      maxRetries: policy.advisor.maxRetries,
      maxInputTokens: policy.advisor.maxInputTokens,
      fallbackAction: baseline,
      ...(policy.advisor.enabled === false ? { enabled: false } : {}),
      ...(endpoint.ok ? { baseURL: endpoint.baseURL } : { endpointProblem: endpoint.problem }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    },
  );
  const decision = decide(incident, {
    policy,
    state,
    now: options.now,
    random: options.random,
    quarantinedDigests,
    ...automatic,
    advice: diagnosis.source === "llm" ? diagnosis.suggested_action : null,
  });
  const record = buildDecisionRecord(incident, decision, { now: options.now });
  // Held back means the rules' own choice was masked by time: the baseline's reason then names the guardrail.
  const hold = (HOLDING_GUARDRAILS as readonly string[]).includes(guard.reason_code)
    ? computeGuardrailHold(incident, guardrailContext)
    : undefined;
  return {
    decision,
    hold,
    diagnosis,
    markdown: renderDiagnosisMarkdown(diagnosis, { allowedHosts: options.allowedHosts, decision }),
    record,
    logLine: formatLogLine(record),
  };
}

/** Builds an outcome line: the alert resolved or re-fired, or a person reverted the action. */
export function buildOutcomeRecord(input: {
  readonly fingerprint: string;
  readonly at: Date;
  readonly event: OutcomeRecord["event"];
  readonly detail?: OutcomeRecord["detail"];
  readonly decisionId?: string;
}): OutcomeRecord {
  return {
    v: 1,
    type: "outcome",
    at: input.at.toISOString(),
    fingerprint: input.fingerprint,
    ...(input.decisionId === undefined ? {} : { decision_id: input.decisionId }),
    event: input.event,
    ...(input.detail === undefined ? {} : { detail: input.detail }),
  };
}
