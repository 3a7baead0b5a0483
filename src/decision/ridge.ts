/**
 * Ridge regression kept as sufficient statistics, so that adding or removing
 * one observation is a rank-one update and the decision log can be folded
 * in any chunking with the same result.
 *
 * With A = λI + Σ x xᵀ and b = Σ r x, the estimate is θ = A⁻¹ b; the
 * residual sum of squares is Σ r² − θᵀb − λ|θ|².
 */
import { computeCholeskyFactor, solveCholesky } from "../common/statistics/linear-algebra.js";

/** Sufficient statistics of one ridge model. */
export interface RidgeStats {
  readonly dim: number;
  readonly lambda: number;
  /** λI + Σ x xᵀ, row-major dim × dim. */
  readonly a: Float64Array;
  /** Σ r x. */
  readonly b: Float64Array;
  /** Number of observations (may go down when one is retracted). */
  n: number;
  /** Σ r². */
  sumSq: number;
}

/** Creates empty statistics (A = λI). */
export function createRidgeStats(dim: number, lambda: number): RidgeStats {
  const a = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) a[i * dim + i] = lambda;
  return { dim, lambda, a, b: new Float64Array(dim), n: 0, sumSq: 0 };
}

/** Adds (weight 1) or retracts (weight −1) one observation, in place. */
export function updateRidgeStats(stats: RidgeStats, x: ArrayLike<number>, reward: number, weight = 1): void {
  const { dim, a, b } = stats;
  if (x.length !== dim) throw new RangeError(`context has ${x.length} values, expected ${dim}`);
  for (let i = 0; i < dim; i++) {
    const xi = x[i]! * weight;
    b[i] = b[i]! + xi * reward;
    for (let j = 0; j < dim; j++) a[i * dim + j] = a[i * dim + j]! + xi * x[j]!;
  }
  stats.n += weight;
  stats.sumSq += weight * reward * reward;
}

/** A fitted ridge model, ready to predict. */
export interface RidgeFit {
  readonly theta: Float64Array;
  /** Residual variance estimate, shrunk towards 1 when there is little data. */
  readonly sigma2: number;
  readonly n: number;
  readonly factor: Float64Array;
  readonly dim: number;
}

/** Fits θ = A⁻¹ b and the residual variance. */
export function fitRidge(stats: RidgeStats): RidgeFit {
  const factor = computeCholeskyFactor(stats.a, stats.dim);
  const theta = solveCholesky(factor, stats.dim, stats.b);
  let thetaB = 0;
  let thetaSq = 0;
  for (let i = 0; i < stats.dim; i++) {
    thetaB += theta[i]! * stats.b[i]!;
    thetaSq += theta[i]! * theta[i]!;
  }
  const rss = Math.max(stats.sumSq - thetaB - stats.lambda * thetaSq, 0);
  // One pseudo-observation of variance 1 keeps the bound honest before data arrives.
  const sigma2 = (rss + 1) / (stats.n + 1);
  return { theta, sigma2, n: stats.n, factor, dim: stats.dim };
}

/** Point prediction θ·x. */
export function predictRidge(fit: RidgeFit, x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < fit.dim; i++) s += fit.theta[i]! * x[i]!;
  return s;
}

/** Standard error of the prediction: σ √(xᵀ A⁻¹ x). */
export function predictionStdError(fit: RidgeFit, x: ArrayLike<number>): number {
  const z = solveCholesky(fit.factor, fit.dim, x);
  let q = 0;
  for (let i = 0; i < fit.dim; i++) q += x[i]! * z[i]!;
  return Math.sqrt(fit.sigma2 * Math.max(q, 0));
}
