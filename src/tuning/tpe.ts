/**
 * The Tree-structured Parzen Estimator sampler with Optuna's defaults
 * (independent, per-parameter TPE): the first `nStartupTrials` (10) trials
 * are drawn uniformly; after that the completed trials are split into the
 * best γ(n) = min(⌈0.1·n⌉, 25) ("below") and the rest ("above"), a Parzen
 * estimator is fitted to each, `nEiCandidates` (24) candidates are drawn from
 * the "below" estimator, and the one with the largest log l(x) − log g(x)
 * — the expected-improvement proxy — is proposed.
 */
import type { Random } from "../common/random.js";
import {
  buildCategoricalParzen,
  buildNumericParzen,
  logDensityNumericParzen,
  sampleNumericParzen,
  type NumericParzen,
} from "./parzen.js";
import { sampleParams, tidyNumber } from "./sample.js";
import type { FloatDistribution, IntDistribution, ParamValue, Params, SearchSpace } from "./space.js";

/** TPE settings; the defaults are Optuna's. */
export interface TpeOptions {
  /** Trials drawn uniformly before TPE starts; 10. */
  readonly nStartupTrials: number;
  /** Candidates drawn from l(x) per proposal; 24. */
  readonly nEiCandidates: number;
  /**
   * Trials proposed together from the same history once TPE has started; 1
   * (strictly sequential, like Optuna with one worker). A larger batch lets
   * that many trials run at once; it is part of the study, so results never
   * depend on how many threads run it.
   */
  readonly batchSize: number;
}

/** Optuna's defaults. */
export const defaultTpeOptions: TpeOptions = { nStartupTrials: 10, nEiCandidates: 24, batchSize: 1 };

/** Optuna's `default_gamma`: how many of `n` completed trials count as good. */
export function computeGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/** A completed trial as TPE sees it. */
export interface TpeObservation {
  readonly number: number;
  readonly params: Params;
  readonly score: number;
}

/**
 * How many of a shard's leading trials must be complete before its trial
 * `k` can be proposed: none during start-up, then every trial before `k`'s batch.
 */
export function countTpeDependencies(k: number, options: TpeOptions): number {
  if (k < options.nStartupTrials) return 0;
  const offset = k - options.nStartupTrials;
  return options.nStartupTrials + offset - (offset % options.batchSize);
}

interface Transformed {
  readonly low: number;
  readonly high: number;
  readonly step: number | undefined;
  readonly forward: (v: number) => number;
  readonly back: (v: number) => number;
}

function transformOf(distribution: IntDistribution | FloatDistribution): Transformed {
  const identity = (v: number): number => v;
  if (distribution.type === "int") {
    const { low, high, step } = distribution;
    const clampInt = (v: number): number => Math.min(high, Math.max(low, Math.round(v)));
    if (distribution.log) {
      // Log-scaled integers are sampled continuously over [low − ½, high + ½] in log space, then rounded.
      return {
        low: Math.log(low - 0.5),
        high: Math.log(high + 0.5),
        step: undefined,
        forward: Math.log,
        back: (v) => clampInt(Math.exp(v)),
      };
    }
    return {
      low,
      high,
      step,
      forward: identity,
      back: (v) => clampInt(low + step * Math.round((v - low) / step)),
    };
  }
  const { low, high, step } = distribution;
  if (distribution.log) {
    return {
      low: Math.log(low),
      high: Math.log(high),
      step: undefined,
      forward: Math.log,
      back: (v) => Math.min(high, Math.max(low, Math.exp(v))),
    };
  }
  return { low, high, step, forward: identity, back: step === undefined ? identity : tidyNumber };
}

/** A numeric Parzen estimator over a parameter's observed values (in trial-number order), in Optuna's transformed space. */
export function buildNumericEstimator(
  distribution: IntDistribution | FloatDistribution,
  values: readonly ParamValue[],
): { parzen: NumericParzen; logDensity: (value: number) => number } {
  const t = transformOf(distribution);
  const observed = Float64Array.from(values.filter((v): v is number => typeof v === "number").map(t.forward));
  const parzen = buildNumericParzen(observed, t.low, t.high, t.step);
  return { parzen, logDensity: (value) => logDensityNumericParzen(parzen, t.forward(value)) };
}

function isBetter(a: TpeObservation, b: TpeObservation, direction: "maximize" | "minimize"): number {
  const diff = direction === "maximize" ? b.score - a.score : a.score - b.score;
  return diff !== 0 ? diff : a.number - b.number;
}

function proposeNumeric(
  distribution: IntDistribution | FloatDistribution,
  below: readonly ParamValue[],
  above: readonly ParamValue[],
  random: Random,
  nCandidates: number,
): number {
  const t = transformOf(distribution);
  const l = buildNumericEstimator(distribution, below).parzen;
  const g = buildNumericEstimator(distribution, above).parzen;
  let best = Number.NaN;
  let bestScore = -Infinity;
  for (let c = 0; c < nCandidates; c++) {
    const x = sampleNumericParzen(l, random);
    const score = logDensityNumericParzen(l, x) - logDensityNumericParzen(g, x);
    if (score > bestScore || Number.isNaN(best)) {
      best = x;
      bestScore = score;
    }
  }
  return t.back(best);
}

function indexOfChoice(choices: readonly ParamValue[], value: ParamValue): number {
  return choices.findIndex((c) => c === value);
}

function proposeCategorical(
  choices: readonly ParamValue[],
  below: readonly ParamValue[],
  above: readonly ParamValue[],
  random: Random,
  nCandidates: number,
): ParamValue {
  const observe = (values: readonly ParamValue[]): Int32Array =>
    Int32Array.from(values.map((v) => indexOfChoice(choices, v)).filter((i) => i >= 0));
  const l = buildCategoricalParzen(observe(below), choices.length);
  const g = buildCategoricalParzen(observe(above), choices.length);
  let best = -1;
  let bestScore = -Infinity;
  for (let c = 0; c < nCandidates; c++) {
    const u = random.next();
    let cumulative = 0;
    let index = choices.length - 1;
    for (let i = 0; i < choices.length; i++) {
      cumulative += l.probabilities[i]!;
      if (u < cumulative) {
        index = i;
        break;
      }
    }
    const score = Math.log(l.probabilities[index]!) - Math.log(g.probabilities[index]!);
    if (score > bestScore || best < 0) {
      best = index;
      bestScore = score;
    }
  }
  return choices[best]!;
}

/**
 * Proposes the next parameters from the completed trials. `random` is the
 * trial's own stream, so the proposal depends only on the history and the
 * trial — not on timing.
 */
export function proposeTpe(
  space: SearchSpace,
  history: readonly TpeObservation[],
  direction: "maximize" | "minimize",
  random: Random,
  options: TpeOptions = defaultTpeOptions,
): Params {
  if (history.length < options.nStartupTrials) return sampleParams(space, random);
  const ranked = [...history].sort((a, b) => isBetter(a, b, direction));
  const nBelow = computeGamma(history.length);
  const byNumber = (a: TpeObservation, b: TpeObservation): number => a.number - b.number;
  const below = ranked.slice(0, nBelow).sort(byNumber);
  const above = ranked.slice(nBelow).sort(byNumber);
  const params: Record<string, ParamValue> = {};
  for (const { name, distribution } of space.params) {
    const belowValues = below.map((t) => t.params[name] ?? null);
    const aboveValues = above.map((t) => t.params[name] ?? null);
    params[name] =
      distribution.type === "categorical"
        ? proposeCategorical(distribution.choices, belowValues, aboveValues, random, options.nEiCandidates)
        : proposeNumeric(distribution, belowValues, aboveValues, random, options.nEiCandidates);
  }
  return params;
}
