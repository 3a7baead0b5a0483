/**
 * Reward of one decision, from the outcomes joined to it by fingerprint:
 * +1 when the incident resolves within T and does not fire again within T,
 * minus the action's cost, minus a large penalty when a person reverts it.
 */
import { actionIndex, type Action } from "./actions.js";
import type { ResolvedPolicy } from "./policy-spec.js";

/** What is known about one decision's aftermath. Times are epoch milliseconds. */
export interface DecisionOutcome {
  readonly action: Action;
  readonly at: number;
  readonly resolvedAt: number | undefined;
  readonly refiredAt: number | undefined;
  readonly revertedAt: number | undefined;
}

/**
 * The reward as known at `now`, or `undefined` while it is still pending
 * (T has not elapsed and nothing has settled it early). A revert or a re-fire
 * settles it at once.
 */
export function computeReward(
  outcome: DecisionOutcome,
  reward: ResolvedPolicy["reward"],
  now: number,
): number | undefined {
  const cost = reward.actionCosts[actionIndex(outcome.action)] ?? 0;
  if (outcome.revertedAt !== undefined) return -cost - reward.humanRevertPenalty;
  const deadline = outcome.at + reward.resolveWithinMs;
  if (outcome.refiredAt !== undefined && outcome.refiredAt <= deadline) return -cost;
  if (now < deadline) return undefined;
  return outcome.resolvedAt !== undefined && outcome.resolvedAt <= deadline ? 1 - cost : -cost;
}
