/**
 * Optuna's univariate Parzen estimators, the densities TPE compares
 * (Optuna's `_ParzenEstimator` with its defaults: prior weight 1, the "magic
 * clip" on bandwidths, endpoints not considered, `default_weights`).
 *
 * A numeric estimator is a mixture of normals truncated to `[low, high]`
 * (stretched by half a step each side for discrete ranges): one kernel per
 * observation, centred on it, with a bandwidth equal to the larger gap to its
 * sorted neighbours, plus a wide prior kernel centred on the range. A
 * categorical estimator smooths each observation's choice with a uniform
 * prior.
 */
import type { Random } from "../common/random.js";

/** Optuna's `default_weights`: flat for the 25 most recent observations, a ramp from 1/n before them. */
export function computeDefaultWeights(n: number): Float64Array {
  const weights = new Float64Array(n).fill(1);
  if (n >= 25) {
    const ramp = n - 25;
    for (let i = 0; i < ramp; i++) weights[i] = ramp === 1 ? 1 / n : 1 / n + (i * (1 - 1 / n)) / (ramp - 1);
  }
  return weights;
}

/** A numeric Parzen estimator, in the (possibly log-) transformed space. */
export interface NumericParzen {
  readonly kind: "numeric";
  readonly mus: Float64Array;
  readonly sigmas: Float64Array;
  /** Mixture weights, summing to 1. */
  readonly weights: Float64Array;
  readonly low: number;
  readonly high: number;
  /** Grid step for discrete ranges; `undefined` for continuous ones. */
  readonly step: number | undefined;
}

/** A categorical Parzen estimator collapsed to one distribution over choices. */
export interface CategoricalParzen {
  readonly kind: "categorical";
  readonly probabilities: Float64Array;
}

const PRIOR_WEIGHT = 1;

/**
 * Builds a numeric estimator from observations given in trial-number order
 * (the order `default_weights` ramps over).
 */
export function buildNumericParzen(
  observations: Float64Array,
  low: number,
  high: number,
  step: number | undefined,
): NumericParzen {
  const n = observations.length;
  const stepOr0 = step ?? 0;
  const priorMu = 0.5 * (low + high);
  const priorSigma = high - low + stepOr0;
  const mus = new Float64Array(n + 1);
  const sigmas = new Float64Array(n + 1);
  mus.set(observations);
  mus[n] = priorMu;

  // Bandwidths: the larger gap to a sorted neighbour, with the prior's centre
  // among the points and the range ends as outer neighbours.
  const order = Array.from({ length: n + 1 }, (_, i) => i).sort((a, b) => mus[a]! - mus[b]! || a - b);
  const sorted = new Float64Array(n + 3);
  sorted[0] = low - stepOr0 / 2;
  order.forEach((index, i) => (sorted[i + 1] = mus[index]!));
  sorted[n + 2] = high + stepOr0 / 2;
  const sortedSigmas = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) {
    sortedSigmas[i] = Math.max(sorted[i + 1]! - sorted[i]!, sorted[i + 2]! - sorted[i + 1]!);
  }
  if (sorted.length >= 4) {
    // consider_endpoints=False: the outermost kernels ignore the range ends.
    sortedSigmas[0] = sorted[2]! - sorted[1]!;
    sortedSigmas[n] = sorted[n + 1]! - sorted[n]!;
  }
  const maxSigma = priorSigma;
  const minSigma = priorSigma / Math.min(100, 1 + (n + 1));
  order.forEach((index, i) => {
    sigmas[index] = Math.min(maxSigma, Math.max(minSigma, sortedSigmas[i]!));
  });
  sigmas[n] = priorSigma;

  const weights = new Float64Array(n + 1);
  weights.set(computeDefaultWeights(n));
  weights[n] = PRIOR_WEIGHT;
  const total = weights.reduce((s, w) => s + w, 0);
  for (let i = 0; i <= n; i++) weights[i]! /= total;
  return { kind: "numeric", mus, sigmas, weights, low, high, step };
}

/** Builds a categorical estimator from observed choice indices in trial-number order. */
export function buildCategoricalParzen(observations: Int32Array, nChoices: number): CategoricalParzen {
  const n = observations.length;
  const probabilities = new Float64Array(nChoices);
  if (n === 0) {
    probabilities.fill(1 / nChoices);
    return { kind: "categorical", probabilities };
  }
  const nKernels = n + 1;
  const weights = computeDefaultWeights(n);
  let total = PRIOR_WEIGHT;
  for (const w of weights) total += w;
  // Kernel i puts PRIOR/nKernels on every choice and 1 more on its own, normalised.
  const kernelTotal = 1 + (nChoices * PRIOR_WEIGHT) / nKernels;
  for (let i = 0; i < n; i++) {
    const w = weights[i]! / total;
    for (let c = 0; c < nChoices; c++) probabilities[c]! += (w * (PRIOR_WEIGHT / nKernels)) / kernelTotal;
    probabilities[observations[i]!]! += w / kernelTotal;
  }
  for (let c = 0; c < nChoices; c++) probabilities[c]! += PRIOR_WEIGHT / total / nChoices;
  return { kind: "categorical", probabilities };
}

/**
 * erfc with relative error below 1.2e-7 everywhere (Numerical Recipes'
 * Chebyshev fit), enough to rank TPE candidates.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** P(a < Z < b) for a standard normal Z, computed on the side that avoids cancellation. */
export function normalInterval(a: number, b: number): number {
  const s = Math.SQRT1_2;
  if (a >= 0) return 0.5 * (erfc(a * s) - erfc(b * s));
  if (b <= 0) return 0.5 * (erfc(-b * s) - erfc(-a * s));
  return 1 - 0.5 * (erfc(-a * s) + erfc(b * s));
}

function pickKernel(weights: Float64Array, random: Random): number {
  const u = random.next();
  let cumulative = 0;
  for (let i = 0; i < weights.length; i++) {
    cumulative += weights[i]!;
    if (u < cumulative) return i;
  }
  return weights.length - 1;
}

/** Draws one value from a numeric estimator (snapped to the step grid for discrete ranges). */
export function sampleNumericParzen(parzen: NumericParzen, random: Random): number {
  const { low, high, step } = parzen;
  const half = (step ?? 0) / 2;
  const k = pickKernel(parzen.weights, random);
  const mu = parzen.mus[k]!;
  const sigma = parzen.sigmas[k]!;
  // Rejection sampling is exact and cheap here: every kernel is centred inside the range.
  let x = mu;
  for (let attempt = 0; attempt < 1000; attempt++) {
    const candidate = mu + sigma * random.normal();
    if (candidate >= low - half && candidate <= high + half) {
      x = candidate;
      break;
    }
  }
  if (step !== undefined) x = low + step * Math.round((x - low) / step);
  return Math.min(high, Math.max(low, x));
}

/** Log density (continuous) or log probability mass (discrete) of `x` under a numeric estimator. */
export function logDensityNumericParzen(parzen: NumericParzen, x: number): number {
  const { low, high, step } = parzen;
  const half = (step ?? 0) / 2;
  let total = 0;
  for (let k = 0; k < parzen.mus.length; k++) {
    const mu = parzen.mus[k]!;
    const sigma = parzen.sigmas[k]!;
    const mass = normalInterval((low - half - mu) / sigma, (high + half - mu) / sigma);
    if (!(mass > 0)) continue;
    let density: number;
    if (step === undefined) {
      const z = (x - mu) / sigma;
      density = Math.exp(-0.5 * z * z) / (sigma * Math.sqrt(2 * Math.PI));
    } else {
      density = normalInterval((x - half - mu) / sigma, (x + half - mu) / sigma);
    }
    total += (parzen.weights[k]! * density) / mass;
  }
  return Math.log(Math.max(total, Number.MIN_VALUE));
}
