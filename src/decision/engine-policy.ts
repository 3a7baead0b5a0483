/**
 * The decision engine (src/decision) behind the bot's `IncidentPolicy`:
 * guardrails, the bandit inside them and the LLM advisor's diagnosis. Every
 * decision reads the whole decision log afresh from its store (the
 * repository's state branch for a GitHub App, or a local file) and appends
 * its own line, so the policy's state is the fold of what all replicas wrote.
 *
 * The log never blocks the safety action: when it cannot be read the
 * decision is the guardrails' baseline without history, and a line that
 * cannot be written waits in a small in-process outbox and is retried
 * before the next append.
 */
import { createRandom, type Random } from "../common/random.js";
import { DEFAULT_LINK_HOSTS, sanitizeForGitHub } from "../common/sanitize-markdown.js";
import type { Logger } from "../common/logger.js";
import { createDecisionLogOutbox, messageOf } from "./decision-log-outbox.js";
import { createMemoryDecisionLogStore, type DecisionLogStore } from "./decision-log-store.js";
import type { Action } from "./actions.js";
import type { DecisionRecord, LogRecord } from "./decision-log.js";
import { buildOutcomeRecord, processIncident } from "./process-incident.js";
import type { LlmOperatorSettings } from "./llm-endpoint.js";
import type { IncidentPolicy, PolicyContext, PolicyDecision } from "./incident-policy.js";

/** Settings of {@link createEnginePolicy}. */
export interface EnginePolicyOptions {
  /** Store used when the caller names none for a repository; memory when absent. */
  readonly store?: DecisionLogStore;
  /** OpenAI-compatible API key; the template diagnosis is used without one. */
  readonly apiKey: string | undefined;
  /** The operator's LLM endpoint and allow-lists (`OPENAI_BASE_URL`, `OPENAI_MODEL`, `LLM_ALLOWED_*`). */
  readonly llm?: Omit<LlmOperatorSettings, "apiKey">;
  /** Hosts posts may link to, the operator's (`LINK_ALLOWED_HOSTS`); the repository's `allowed_link_hosts` add to them. */
  readonly linkHosts?: readonly string[];
  readonly seed: number;
  readonly logger: Logger;
  /** Appends kept for a later retry at most; the oldest is dropped (and logged) past it. Default 1000. */
  readonly outboxLimit?: number;
}

/** The line as taken: the action done, and the proposal kept beside it when the two differ. */
function recordOfTaken(record: DecisionRecord, action: Action): DecisionRecord {
  if (record.action === action) return record;
  return { ...record, action, proposed_action: record.action };
}

/** The engine-backed policy, with the outbox it owns; exposed for tests. */
export interface EnginePolicy extends IncidentPolicy {
  /** Appends waiting to be retried. */
  readonly pendingAppends: () => number;
  recordDecision(taken: PolicyDecision, context: PolicyContext): Promise<string | undefined>;
}

/** Creates the engine-backed policy. */
export function createEnginePolicy(options: EnginePolicyOptions): EnginePolicy {
  const random: Random = createRandom(options.seed);
  const fallback = options.store ?? createMemoryDecisionLogStore();
  const log = options.logger;
  const outbox = createDecisionLogOutbox(log, options.outboxLimit ?? 1000);
  const appendOrKeep = (store: DecisionLogStore, records: readonly LogRecord[], at: Date) =>
    outbox.appendOrKeep(store, records, at);

  return {
    pendingAppends: () => outbox.pending(),
    async decide(incident, context) {
      const store = context.decisionLog ?? fallback;
      const allowedHosts = [...(options.linkHosts ?? DEFAULT_LINK_HOSTS), ...context.allowedHosts];
      const problems: string[] = [];
      let records: readonly LogRecord[] = [];
      let unread = false;
      try {
        records = await store.load();
      } catch (error) {
        unread = true;
        log.warn(
          { err: error, store: store.name },
          "decision log unreadable; deciding by the guardrails alone",
        );
        problems.push(
          `The decision log (\`${store.name}\`) could not be read (${messageOf(error)}), so this decision follows the guardrails alone, without the history of earlier decisions.`,
        );
      }
      const processed = await processIncident(incident, {
        ...(context.environment.policy === undefined ? {} : { policySpec: context.environment.policy }),
        records,
        logName: store.name,
        now: context.now,
        random,
        quarantinedDigests: context.environment.quarantine,
        automaticRollback: context.environment.rollback.automatic,
        baselineOnly: unread,
        apiKey: options.apiKey,
        ...(options.llm === undefined ? {} : { llm: options.llm }),
        allowedHosts,
        logger: log,
      });
      return {
        action: processed.decision.action,
        reason_code: processed.decision.reason_code,
        // The summary may be the LLM's words; it is posted as the PR's and the diagnosis' summary line.
        explanation: sanitizeForGitHub(processed.diagnosis.summary, {
          allowedHosts,
          maxLength: 1200,
        }),
        markdown: processed.markdown,
        requiresHuman: processed.decision.requires_human,
        decisionId: processed.record.id,
        record: processed.record,
        ...(processed.hold === undefined ? {} : { hold: processed.hold }),
        ...(problems.length === 0 ? {} : { logProblem: problems.join(" ") }),
      };
    },
    async recordDecision(taken, context) {
      if (taken.record === undefined) return undefined;
      const store = context.decisionLog ?? fallback;
      const record = recordOfTaken(taken.record, taken.action);
      const unwritten = await appendOrKeep(store, [record], context.now);
      return unwritten === undefined
        ? undefined
        : `This decision could not be written to the decision log (\`${store.name}\`: ${unwritten}); the bot keeps it and retries before its next write.`;
    },
    async recordOutcome(outcome, decisionLog) {
      const record = buildOutcomeRecord(outcome);
      // An outcome that cannot be written now is kept; the event that produced it must not fail.
      await appendOrKeep(decisionLog ?? fallback, [record], outcome.at);
    },
  };
}
