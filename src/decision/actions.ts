/**
 * The closed set of things the decision engine can do about an incident, and
 * the closed set of reasons it gives. Both are `as const` unions so the bot,
 * the CLI and the decision log agree on spelling.
 */

import { ACTIONS } from "../config/policy.js";

/** Actions, from the least to the most intrusive; defined with the policy file format they are named in. */
export { ACTIONS };

/** One action of the engine. */
export type Action = (typeof ACTIONS)[number];

/** Number of actions; sizes every per-action array. */
export const ACTION_COUNT = ACTIONS.length;

/**
 * Actions that change what serves traffic without a person in the loop. The
 * rate limit, cooldowns and freeze windows apply to these.
 */
export const AUTOMATED_ACTIONS: readonly Action[] = ["abort_canary", "rollback"];

/** Whether an action changes what serves traffic on its own. */
export function isAutomatedAction(action: Action): boolean {
  return action === "abort_canary" || action === "rollback";
}

/**
 * Whether an action sends traffic back to the stable model. Aborting a canary
 * is the rollback of a rollout in progress, so both count.
 */
export function isRollbackAction(action: Action): boolean {
  return action === "rollback" || action === "abort_canary";
}

/** Index of an action in {@link ACTIONS}. */
export function actionIndex(action: Action): number {
  return ACTIONS.indexOf(action);
}

/** Why the baseline chose its action, or why the engine departed from it. */
export const REASON_CODES = [
  "critical_after_deploy",
  "canary_failing",
  "rollout_aborted_reconcile",
  "load_failed",
  "critical_needs_human",
  "warning_notify",
  "drift_needs_retrain",
  "no_fault_evidence",
  "informational",
  "flapping",
  "no_stable_available",
  "stable_quarantined",
  "rate_limited",
  "cooldown",
  "freeze_window",
  "automatic_rollback_off",
  "bandit_improvement",
  "bandit_exploration",
  "advice_tie_break",
] as const;

/** A closed reason code. */
export type ReasonCode = (typeof REASON_CODES)[number];
