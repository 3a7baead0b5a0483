/**
 * What the bot does about an incident is decided behind this interface, so
 * the decision engine (guardrails, bandit, LLM advice) plugs in without the
 * bot changing. Until then the plain guardrail policy below decides:
 * critical with a stable model to go back to → roll back; drift → diagnose;
 * other warnings → notify; informational → nothing.
 */
import type { EnvironmentSpec } from "../config/environment.js";
import type { Action, ReasonCode } from "./actions.js";
import type { DecisionLogStore } from "./decision-log-store.js";
import type { DecisionRecord, OutcomeRecord } from "./decision-log.js";
import type { GuardrailHold } from "./guardrails.js";
import { isCandidateAtFault, type Incident } from "./incident.js";

/** A decision: a closed action and a closed reason, plus a sentence for people. */
export interface PolicyDecision {
  readonly action: Action;
  readonly reason_code: ReasonCode;
  /**
   * One line of Markdown, posted as is: the policy's own words, or words
   * from outside (an LLM's summary) already passed through `sanitizeForGitHub`.
   */
  readonly explanation: string;
  /** A diagnosis in Markdown, already sanitised, when the policy wrote one. */
  readonly markdown?: string;
  /** Whether a person must approve the action (retrain is only ever proposed). */
  readonly requiresHuman?: boolean;
  /** A time-based guardrail (cooldown, rate limit, freeze) held back the action the rules call for. */
  readonly hold?: GuardrailHold;
  /** Id of the decision's line in the decision log, so outcomes name the decision they judge. */
  readonly decisionId?: string;
  /** What went wrong reading or writing the decision log, in a sentence for the tracking issue. */
  readonly logProblem?: string;
  /** The decision-log line the policy will write once the action taken is known. */
  readonly record?: DecisionRecord;
}

/** Something that happened after a decision, for the decision log. */
export interface IncidentOutcomeEvent {
  readonly fingerprint: string;
  readonly at: Date;
  readonly event: OutcomeRecord["event"];
  readonly detail?: OutcomeRecord["detail"];
  /** The decision the outcome judges, when known (a PR marker, a remembered decision). */
  readonly decisionId?: string;
}

/** What a policy may look at besides the incident. */
export interface PolicyContext {
  readonly now: Date;
  readonly environment: EnvironmentSpec;
  /** Hosts diagnosis links may point to. */
  readonly allowedHosts: readonly string[];
  /** The repository's decision log, when the bot keeps it there. */
  readonly decisionLog?: DecisionLogStore;
}

/** Decides what to do about one incident. */
export interface IncidentPolicy {
  /** Proposes a decision; writes nothing, since the caller may take a narrower action. */
  decide(incident: Incident, context: PolicyContext): PolicyDecision | Promise<PolicyDecision>;
  /**
   * Writes the decision as it was really taken to the decision log (its
   * action, not the proposal's when they differ); returns why it could
   * not be written now, when it could not.
   */
  recordDecision?(taken: PolicyDecision, context: PolicyContext): Promise<string | undefined>;
  /**
   * Records what happened after a decision — resolved, re-fired, reverted by
   * a person — in the decision log the policy learns from.
   */
  recordOutcome?(outcome: IncidentOutcomeEvent, decisionLog?: DecisionLogStore): Promise<void>;
}

/** The plain guardrail policy. */
export function createGuardrailPolicy(): IncidentPolicy {
  return {
    decide(incident) {
      if (incident.severity === "critical") {
        if (!incident.stable_available) {
          return {
            action: "notify",
            reason_code: "no_stable_available",
            explanation: "critical, but there is no good model to go back to: a person must decide",
          };
        }
        const reason: ReasonCode =
          incident.kind === "rollout_aborted"
            ? "rollout_aborted_reconcile"
            : incident.kind === "load_failed"
              ? "load_failed"
              : incident.canary_state === "progressing" || incident.canary_state === "paused"
                ? "canary_failing"
                : "critical_after_deploy";
        if (
          incident.digests.candidate !== null &&
          incident.canary_state !== "promoted" &&
          !isCandidateAtFault(incident)
        ) {
          return {
            action: "notify",
            reason_code: "critical_needs_human",
            explanation:
              "critical, and the alert blames the stable while a canary runs: a person must decide",
          };
        }
        return {
          action:
            incident.digests.candidate !== null && incident.canary_state !== "promoted"
              ? "abort_canary"
              : "rollback",
          reason_code: reason,
          explanation: "critical incident and a stable model is available: take the bad model out of service",
        };
      }
      if (incident.kind === "drift") {
        return {
          action: "notify",
          reason_code: "drift_needs_retrain",
          explanation:
            "the inputs drifted: a diagnosis is posted; retraining is for a person to start (`/retrain`)",
        };
      }
      if (incident.severity === "warning") {
        return {
          action: "notify",
          reason_code: "warning_notify",
          explanation: "a warning: people are told, nothing changes",
        };
      }
      return { action: "ignore", reason_code: "informational", explanation: "informational: nothing to do" };
    },
  };
}
