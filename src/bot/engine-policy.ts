/**
 * The decision engine (src/decision) behind the bot's `IncidentPolicy`:
 * guardrails, the bandit inside them and the LLM advisor's diagnosis. Every
 * decision reads the whole decision log afresh from its store (the
 * repository's state branch for a GitHub App, or a local file) and appends
 * its own line, so the policy's state is the fold of what all replicas wrote.
 */
import { createRandom, type Random } from "../common/random.js";
import type { Logger } from "../common/logger.js";
import { createMemoryDecisionLogStore, type DecisionLogStore } from "../decision/decision-log-store.js";
import { buildOutcomeRecord, processIncident } from "../decision/process-incident.js";
import type { IncidentPolicy } from "./incident-policy.js";

/** Settings of {@link createEnginePolicy}. */
export interface EnginePolicyOptions {
  /** Store used when the caller names none for a repository; memory when absent. */
  readonly store?: DecisionLogStore;
  /** OpenAI-compatible API key; the template diagnosis is used without one. */
  readonly apiKey: string | undefined;
  readonly seed: number;
  readonly logger: Logger;
}

/** Creates the engine-backed policy. */
export function createEnginePolicy(options: EnginePolicyOptions): IncidentPolicy {
  const random: Random = createRandom(options.seed);
  const fallback = options.store ?? createMemoryDecisionLogStore();
  return {
    async decide(incident, context) {
      const store = context.decisionLog ?? fallback;
      const processed = await processIncident(incident, {
        ...(context.environment.policy === undefined ? {} : { policySpec: context.environment.policy }),
        records: await store.load(),
        logName: store.name,
        now: context.now,
        random,
        quarantinedDigests: context.environment.quarantine,
        apiKey: options.apiKey,
        allowedHosts: context.allowedHosts,
        logger: options.logger,
      });
      await store.append([processed.record], context.now);
      return {
        action: processed.decision.action,
        reason_code: processed.decision.reason_code,
        explanation: processed.diagnosis.summary,
        markdown: processed.markdown,
        requiresHuman: processed.decision.requires_human,
        ...(processed.hold === undefined ? {} : { hold: processed.hold }),
      };
    },
    async recordOutcome(outcome, decisionLog) {
      const record = buildOutcomeRecord(outcome);
      await (decisionLog ?? fallback).append([record], outcome.at);
    },
  };
}
