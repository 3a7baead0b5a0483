/**
 * The decision engine's entry point: guardrails, then the bandit inside the
 * guardrails' mask, then (only as a tie-breaker) the LLM's advice. Pure: the
 * clock, the randomness and the folded log come in as arguments.
 */
import { createHash } from "node:crypto";
import type { Random } from "../common/random.js";
import type { Action, ReasonCode } from "./actions.js";
import {
  breakTieWithAdvice,
  chooseConservative,
  computeExplorable,
  computeSafetyBudget,
  estimateActions,
  explorationPropensity,
  fitRewardModels,
  type ActionEstimate,
  type RewardModels,
} from "./bandit.js";
import { buildContext } from "./context.js";
import type { DecisionRecord } from "./decision-log.js";
import { computeGuardrails, type MaskedAction } from "./guardrails.js";
import type { Incident } from "./incident.js";
import type { ResolvedPolicy } from "./policy-spec.js";
import { computePolicyVersion, recentAutomatedActions, type PolicyState } from "./policy-state.js";

/** Inputs of {@link decide} besides the incident. */
export interface DecideOptions {
  readonly policy: ResolvedPolicy;
  /** The folded decision log (see `foldDecisionLog`), built with the same policy. */
  readonly state: PolicyState;
  readonly now: Date;
  readonly random: Random;
  /** Digests that must never serve again. */
  readonly quarantinedDigests: Iterable<string>;
  /** The validated diagnosis' suggested action, if any. It only ever breaks ties. */
  readonly advice?: Action | null;
  /** The environment's `rollback.automatic`; false masks rollback and abort. Default true. */
  readonly automaticRollback?: boolean;
  /** Reward models fitted from `state`, to reuse across several decisions. */
  readonly models?: RewardModels;
}

/** What the engine decided, with everything needed to log and explain it. */
export interface Decision {
  readonly action: Action;
  readonly reason_code: ReasonCode;
  /** Ids of the evidence items behind the decision. */
  readonly evidence: readonly string[];
  /** Allowed actions. */
  readonly mask: readonly Action[];
  /** Disallowed actions, with why. */
  readonly masked: readonly MaskedAction[];
  /** Probability with which this action was chosen. */
  readonly propensity: number;
  readonly policy_version: string;
  readonly baseline_action: Action;
  readonly baseline_reason_code: ReasonCode;
  /** The bandit's estimate of the baseline's reward; null when the bandit is off. */
  readonly baseline_estimate: number | null;
  /** Retrain is only ever proposed: a person approves it. */
  readonly requires_human: boolean;
  /** The advice that was offered (null when none). */
  readonly advice: Action | null;
  /** The context vector the policy saw. */
  readonly context: readonly number[];
  /** The bandit's estimates, when it is enabled. */
  readonly estimates: readonly ActionEstimate[];
}

/** Decides what to do about an incident. */
export function decide(incident: Incident, options: DecideOptions): Decision {
  const { policy, state, now, random } = options;
  const guard = computeGuardrails(incident, {
    policy,
    now,
    recentAutomated: recentAutomatedActions(state, now),
    quarantinedDigests: new Set(options.quarantinedDigests),
    ...(options.automaticRollback === undefined ? {} : { automaticRollback: options.automaticRollback }),
  });
  const x = buildContext(incident, policy);
  const advice = options.advice ?? null;
  const common = {
    evidence: guard.evidence,
    mask: guard.allowed,
    masked: guard.masked,
    policy_version: computePolicyVersion(state),
    baseline_action: guard.baseline,
    baseline_reason_code: guard.reason_code,
    advice,
    context: Array.from(x),
  };

  if (!policy.bandit.enabled || guard.allowed.length === 1) {
    return {
      ...common,
      action: guard.baseline,
      reason_code: guard.reason_code,
      propensity: 1,
      requires_human: guard.baseline === "retrain",
      baseline_estimate: null,
      estimates: [],
    };
  }

  const models = options.models ?? fitRewardModels(state);
  const estimates = estimateActions(models, x, guard.allowed, policy.bandit.alpha);
  const conservative = chooseConservative(estimates, guard.baseline, policy.bandit.minSamples);
  const greedy = breakTieWithAdvice(estimates, conservative, advice, policy.bandit.minSamples);
  const epsilon = policy.bandit.exploration;
  const margin = policy.bandit.safetyMargin;
  const explorable =
    epsilon > 0
      ? computeExplorable(
          estimates,
          greedy,
          guard.baseline,
          computeSafetyBudget(state, models, policy.bandit.alpha, margin),
          margin,
        )
      : new Set<Action>();
  // Both draws happen whatever the outcome, so the random stream does not depend on the budget.
  const explore = epsilon > 0 && random.next() < epsilon;
  const drawn = guard.allowed[random.int(guard.allowed.length)]!;
  const action = explore && explorable.has(drawn) ? drawn : greedy;
  let reason: ReasonCode = guard.reason_code;
  if (action !== greedy) reason = "bandit_exploration";
  else if (greedy !== conservative) reason = "advice_tie_break";
  else if (greedy !== guard.baseline) reason = "bandit_improvement";
  return {
    ...common,
    action,
    reason_code: reason,
    propensity: explorationPropensity(guard.allowed, greedy, explorable, epsilon, action),
    requires_human: action === "retrain",
    baseline_estimate: estimates.find((e) => e.action === guard.baseline)?.mean ?? null,
    estimates,
  };
}

/** Options of {@link buildDecisionRecord}. */
export interface DecisionRecordOptions {
  readonly now: Date;
  /** Defaults to a hash of the fingerprint and the time. */
  readonly id?: string;
}

/** Turns a decision into the line the decision log stores. */
export function buildDecisionRecord(
  incident: Incident,
  decision: Decision,
  options: DecisionRecordOptions,
): DecisionRecord {
  const at = options.now.toISOString();
  const id =
    options.id ??
    createHash("sha256")
      .update(`${incident.environment}\n${incident.fingerprint}\n${at}`)
      .digest("hex")
      .slice(0, 16);
  return {
    v: 1,
    type: "decision",
    id,
    at,
    fingerprint: incident.fingerprint,
    environment: incident.environment,
    model: incident.model,
    kind: incident.kind,
    severity: incident.severity,
    context: [...decision.context],
    mask: [...decision.mask],
    baseline_action: decision.baseline_action,
    baseline_estimate: decision.baseline_estimate,
    action: decision.action,
    propensity: decision.propensity,
    reason_code: decision.reason_code,
    policy_version: decision.policy_version,
    advice: decision.advice,
  };
}
