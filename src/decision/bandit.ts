/**
 * L2, the contextual bandit: one ridge reward model per action (LinUCB
 * statistics), used conservatively. It departs from the guardrails' baseline
 * only for an action whose lower confidence bound beats the baseline's
 * estimated reward, and explores with a small, known probability so that
 * every logged choice has an honest propensity for offline evaluation.
 */
import { actionIndex, type Action } from "./actions.js";
import type { PolicyState } from "./policy-state.js";
import { fitRidge, predictionStdError, predictRidge, type RidgeFit } from "./ridge.js";

/** The bandit's view of one action in one context. */
export interface ActionEstimate {
  readonly action: Action;
  readonly mean: number;
  readonly stdError: number;
  readonly lower: number;
  readonly upper: number;
  /** Settled outcomes the action's model has learned from. */
  readonly n: number;
}

/** Fitted reward models of every action, reusable across decisions on the same state. */
export type RewardModels = readonly RidgeFit[];

/** Fits the per-action reward models of a state. */
export function fitRewardModels(state: PolicyState): RewardModels {
  return state.models.map(fitRidge);
}

/** Estimates the reward of each allowed action in context `x`. */
export function estimateActions(
  models: RewardModels,
  x: ArrayLike<number>,
  allowed: readonly Action[],
  alpha: number,
): ActionEstimate[] {
  return allowed.map((action) => {
    const fit = models[actionIndex(action)]!;
    const mean = predictRidge(fit, x);
    const stdError = predictionStdError(fit, x);
    return {
      action,
      mean,
      stdError,
      lower: mean - alpha * stdError,
      upper: mean + alpha * stdError,
      n: fit.n,
    };
  });
}

/**
 * The conservative choice: the baseline, unless some allowed action with
 * enough data has a lower bound above the baseline's estimated reward (and
 * the baseline itself has enough data to be estimated); among those, the one
 * with the highest lower bound.
 */
export function chooseConservative(
  estimates: readonly ActionEstimate[],
  baseline: Action,
  minSamples: number,
): Action {
  const base = estimates.find((e) => e.action === baseline);
  if (base === undefined || base.n < Math.max(minSamples, 1)) return baseline;
  let best: ActionEstimate | undefined;
  for (const e of estimates) {
    if (e.action === baseline || e.n < Math.max(minSamples, 1)) continue;
    if (e.lower > base.mean && (best === undefined || e.lower > best.lower)) best = e;
  }
  return best?.action ?? baseline;
}

/**
 * How far an action goes without a person: advice may move the choice down
 * this ladder, never up. Retrain sits below the automated actions because a
 * person approves it.
 */
const INTRUSIVENESS: Readonly<Record<Action, number>> = {
  ignore: 0,
  notify: 1,
  retrain: 2,
  abort_canary: 3,
  rollback: 4,
};

/**
 * Lets advice break a statistical tie: the advised action replaces the
 * chosen one only when it is allowed, is no more intrusive, has enough data,
 * and its upper bound reaches the chosen action's estimate.
 */
export function breakTieWithAdvice(
  estimates: readonly ActionEstimate[],
  chosen: Action,
  advice: Action | null | undefined,
  minSamples: number,
): Action {
  if (advice === null || advice === undefined || advice === chosen) return chosen;
  const a = estimates.find((e) => e.action === advice);
  const c = estimates.find((e) => e.action === chosen);
  if (a === undefined || c === undefined) return chosen;
  if (INTRUSIVENESS[advice] > INTRUSIVENESS[chosen]) return chosen;
  if (a.n < Math.max(minSamples, 1) || c.n < Math.max(minSamples, 1)) return chosen;
  return a.upper >= c.mean ? advice : chosen;
}

/**
 * The safety budget of a conservative bandit: how far the policy's reward so
 * far (realised where known, the lower bound where still pending) is above
 * `(1 − margin)` times the baseline's (realised where the baseline was
 * played, its logged estimate elsewhere). Exploration spends it and may not overdraw
 * it, so the policy keeps at least `(1 − margin)` of the baseline's reward.
 */
export function computeSafetyBudget(
  state: PolicyState,
  models: RewardModels,
  alpha: number,
  margin: number,
): number {
  let budget = state.settledBudget;
  for (const d of state.pending) {
    const { action, baseline_action: baseline, baseline_estimate: estimate, context } = d.record;
    const fit = models[actionIndex(action)]!;
    const own = predictRidge(fit, context) - alpha * predictionStdError(fit, context);
    const base = estimate ?? predictRidge(models[actionIndex(baseline)]!, context);
    budget += own - (1 - margin) * base;
  }
  return budget;
}

/**
 * Actions worth exploring: allowed, not the greedy choice, plausibly better
 * than it (upper bound at least its estimate), and affordable — even at its
 * lower bound, playing it keeps the safety budget non-negative.
 */
export function computeExplorable(
  estimates: readonly ActionEstimate[],
  greedy: Action,
  baseline: Action,
  budget: number,
  margin: number,
): Set<Action> {
  const g = estimates.find((e) => e.action === greedy);
  const b = estimates.find((e) => e.action === baseline);
  const out = new Set<Action>();
  if (g === undefined || b === undefined) return out;
  for (const e of estimates) {
    if (e.action === greedy || e.upper < g.mean) continue;
    if (budget + e.lower - (1 - margin) * b.mean >= 0) out.add(e.action);
  }
  return out;
}

/**
 * The probability of `action` when, with probability `exploration`, a
 * uniformly drawn allowed action is played if it is explorable and the
 * greedy one otherwise.
 */
export function explorationPropensity(
  allowed: readonly Action[],
  greedy: Action,
  explorable: ReadonlySet<Action>,
  exploration: number,
  action: Action,
): number {
  if (!allowed.includes(action)) return 0;
  const uniform = exploration / allowed.length;
  if (action !== greedy) return explorable.has(action) ? uniform : 0;
  return 1 - uniform * explorable.size;
}
