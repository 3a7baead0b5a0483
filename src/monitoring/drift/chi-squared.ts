/**
 * Chi-squared test of homogeneity on a 2 × k table (reference counts against
 * current counts), the statistic `scipy.stats.chi2_contingency(correction=False)`
 * computes. Categories empty in both windows carry no information and are
 * dropped (SciPy would refuse a zero expected frequency).
 */
import { chiSquaredSf } from "../../common/statistics/special-functions.js";

/** Result of {@link computeChiSquaredTest}. */
export interface ChiSquaredResult {
  readonly statistic: number;
  readonly pValue: number;
  /** Degrees of freedom: non-empty categories − 1. */
  readonly dof: number;
}

/**
 * Tests whether two count vectors over the same categories come from the
 * same distribution. Both vectors must be the same length; counts ≥ 0.
 * Fewer than two non-empty categories means nothing can differ: statistic 0, p 1.
 */
export function computeChiSquaredTest(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
): ChiSquaredResult {
  if (reference.length !== current.length) {
    throw new RangeError(
      `chi-squared needs count vectors of equal length, got ${reference.length} and ${current.length}`,
    );
  }
  let nRef = 0;
  let nCur = 0;
  let k = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!;
    const c = current[i]!;
    if (!(r >= 0) || !(c >= 0)) throw new RangeError(`counts must be ≥ 0, got ${r} and ${c} at ${i}`);
    nRef += r;
    nCur += c;
    if (r + c > 0) k++;
  }
  if (k < 2 || nRef === 0 || nCur === 0) return { statistic: 0, pValue: 1, dof: Math.max(0, k - 1) };
  const total = nRef + nCur;
  let statistic = 0;
  for (let i = 0; i < reference.length; i++) {
    const colTotal = reference[i]! + current[i]!;
    if (colTotal === 0) continue;
    const eRef = (colTotal * nRef) / total;
    const eCur = (colTotal * nCur) / total;
    statistic += (reference[i]! - eRef) ** 2 / eRef + (current[i]! - eCur) ** 2 / eCur;
  }
  const dof = k - 1;
  return { statistic, pValue: chiSquaredSf(statistic, dof), dof };
}
