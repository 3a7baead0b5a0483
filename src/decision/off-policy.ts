/**
 * Offline evaluation of a policy from the decision log: inverse propensity
 * scoring (IPS), its self-normalised form, and the doubly-robust (DR)
 * estimate, which adds a per-action ridge reward model as a control variate.
 * Each comes with a standard error from the spread of its per-decision terms.
 */
import { mean, sampleVariance } from "simple-statistics";
import { ACTION_COUNT, actionIndex, type Action } from "./actions.js";
import { chooseConservative, estimateActions, fitRewardModels } from "./bandit.js";
import { CONTEXT_DIM } from "./context.js";
import type { OutcomeRecord } from "./decision-log.js";
import type { PolicyState } from "./policy-state.js";
import { createRidgeStats, fitRidge, predictRidge, updateRidgeStats } from "./ridge.js";

/** One logged decision whose reward is known. */
export interface EvaluationSample {
  readonly context: readonly number[];
  readonly action: Action;
  readonly propensity: number;
  readonly reward: number;
  readonly baseline: Action;
  readonly mask: readonly Action[];
}

/** An estimate with its standard error. */
export interface Estimate {
  readonly value: number;
  readonly stdError: number;
}

/** IPS, self-normalised IPS and DR estimates of one target policy. */
export interface PolicyValueEstimate {
  readonly ips: Estimate;
  readonly snips: number;
  readonly dr: Estimate;
  /** Share of logged decisions where the target agrees with the logged action. */
  readonly matchRate: number;
}

/** The settled decisions of a folded log, as evaluation samples. */
export function buildEvaluationSamples(state: PolicyState): EvaluationSample[] {
  const samples: EvaluationSample[] = [];
  for (const d of state.decisions) {
    if (d.reward === undefined) continue;
    samples.push({
      context: d.record.context,
      action: d.record.action,
      propensity: d.record.propensity,
      reward: d.reward,
      baseline: d.record.baseline_action,
      mask: d.record.mask,
    });
  }
  return samples;
}

/** Predicts the reward of any action in any context; DR's control variate. */
export type RewardPredictor = (context: readonly number[], action: Action) => number;

/** Fits one ridge model per action on the samples (the direct-method model of DR). */
export function fitRewardPredictor(samples: readonly EvaluationSample[], ridge: number): RewardPredictor {
  const dim = samples[0]?.context.length ?? CONTEXT_DIM;
  const stats = Array.from({ length: ACTION_COUNT }, () => createRidgeStats(dim, ridge));
  for (const s of samples) updateRidgeStats(stats[actionIndex(s.action)]!, s.context, s.reward);
  const fits = stats.map(fitRidge);
  return (context, action) => predictRidge(fits[actionIndex(action)]!, context);
}

function meanAndStdError(terms: Float64Array): Estimate {
  const n = terms.length;
  if (n === 0) return { value: Number.NaN, stdError: Number.NaN };
  const values = Array.from(terms);
  const variance = n > 1 ? sampleVariance(values) : 0;
  return { value: mean(values), stdError: Math.sqrt(variance / n) };
}

/**
 * Estimates the value of a deterministic target policy, given as the action
 * it takes on each sample.
 */
export function estimatePolicyValue(
  samples: readonly EvaluationSample[],
  target: readonly Action[],
  predictor: RewardPredictor,
): PolicyValueEstimate {
  if (target.length !== samples.length) {
    throw new RangeError(`target has ${target.length} actions for ${samples.length} samples`);
  }
  const n = samples.length;
  const ipsTerms = new Float64Array(n);
  const drTerms = new Float64Array(n);
  let weightSum = 0;
  let weightedReward = 0;
  let matches = 0;
  for (let i = 0; i < n; i++) {
    const s = samples[i]!;
    const t = target[i]!;
    const w = s.action === t ? 1 / s.propensity : 0;
    if (w > 0) matches++;
    weightSum += w;
    weightedReward += w * s.reward;
    ipsTerms[i] = w * s.reward;
    drTerms[i] = predictor(s.context, t) + w * (s.reward - predictor(s.context, s.action));
  }
  return {
    ips: meanAndStdError(ipsTerms),
    snips: weightSum > 0 ? weightedReward / weightSum : Number.NaN,
    dr: meanAndStdError(drTerms),
    matchRate: n > 0 ? matches / n : Number.NaN,
  };
}

/** The actions the learned policy (no exploration) would take on each sample. */
export function computeLearnedActions(state: PolicyState, samples: readonly EvaluationSample[]): Action[] {
  const { bandit } = state.policy;
  const models = fitRewardModels(state);
  return samples.map((s) => {
    const estimates = estimateActions(models, s.context, s.mask, bandit.alpha);
    return chooseConservative(estimates, s.baseline, bandit.minSamples);
  });
}

/** The report of `policy evaluate`. */
export interface PolicyEvaluation {
  readonly decisions: number;
  readonly settled: number;
  readonly pending: number;
  readonly unmatched_outcomes: number;
  /** The outcomes that matched no decision (the first 100), in log order. */
  readonly unmatched: readonly OutcomeRecord[];
  /** Mean reward the logged policy actually earned. */
  readonly logged_value: number;
  readonly baseline: PolicyValueEstimate;
  readonly policy: PolicyValueEstimate;
  /** DR(policy) − DR(baseline), with a conservative standard error. */
  readonly improvement: Estimate;
}

/** Evaluates the learned policy against the guardrails' baseline on a folded log. */
export function evaluatePolicy(state: PolicyState): PolicyEvaluation {
  const samples = buildEvaluationSamples(state);
  const predictor = fitRewardPredictor(samples, state.policy.bandit.ridge);
  const baseline = estimatePolicyValue(
    samples,
    samples.map((s) => s.baseline),
    predictor,
  );
  const policy = estimatePolicyValue(samples, computeLearnedActions(state, samples), predictor);
  const logged = samples.reduce((sum, s) => sum + s.reward, 0) / (samples.length || Number.NaN);
  return {
    decisions: state.decisions.length,
    settled: samples.length,
    pending: state.pending.size,
    unmatched_outcomes: state.unmatchedOutcomes,
    unmatched: [...state.unmatched],
    logged_value: logged,
    baseline,
    policy,
    improvement: {
      value: policy.dr.value - baseline.dr.value,
      // The two estimates share samples; adding variances ignores their positive correlation and errs wide.
      stdError: Math.sqrt(policy.dr.stdError ** 2 + baseline.dr.stdError ** 2),
    },
  };
}
