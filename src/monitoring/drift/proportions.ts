/**
 * Tests on proportions: the pooled two-proportion Z test (binary columns and
 * missing-value rates) and the exact test for categories that the reference
 * never saw.
 */
import { normalTwoSidedP } from "../../common/statistics/special-functions.js";

/** Result of a test with a normal statistic. */
export interface ZTestResult {
  /** (p₂ − p₁) / pooled standard error; 0 when both windows agree exactly. */
  readonly statistic: number;
  readonly pValue: number;
}

/**
 * Pooled two-proportion Z test, two-sided: `successes1` of `n1` against
 * `successes2` of `n2`. When the pooled proportion is 0 or 1 the two windows
 * are identical, so the result is z = 0, p = 1 rather than 0/0.
 */
export function computeTwoProportionZTest(
  successes1: number,
  n1: number,
  successes2: number,
  n2: number,
): ZTestResult {
  if (!(n1 > 0) || !(n2 > 0)) throw new RangeError(`two-proportion test needs n1, n2 > 0, got ${n1}, ${n2}`);
  const p1 = successes1 / n1;
  const p2 = successes2 / n2;
  const pooled = (successes1 + successes2) / (n1 + n2);
  const variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2);
  if (!(variance > 0)) return { statistic: 0, pValue: 1 };
  const statistic = (p2 - p1) / Math.sqrt(variance);
  return { statistic, pValue: normalTwoSidedP(statistic) };
}

/**
 * Null-rate test: do the two windows have the same share of missing values?
 * Tests on non-missing values cannot see a shift in missingness, so every
 * column gets this one too.
 */
export function computeNullRateTest(
  nullsReference: number,
  nReference: number,
  nullsCurrent: number,
  nCurrent: number,
): ZTestResult {
  return computeTwoProportionZTest(nullsReference, nReference, nullsCurrent, nCurrent);
}

/** Result of {@link computeNewCategoryTest}. */
export interface NewCategoryResult {
  /** Current rows whose category the reference never had. */
  readonly newRows: number;
  /** Share of the current window's non-missing rows that are new. */
  readonly statistic: number;
  /**
   * Exact one-sided p-value: with no drift, the chance that all `newRows`
   * rows of an unseen value land in the current window (hypergeometric,
   * Fisher's test on the 2 × 2 table seen/unseen × reference/current).
   */
  readonly pValue: number;
}

/** Tests whether categories unseen in the reference appear in the current window more than chance allows. */
export function computeNewCategoryTest(
  newRows: number,
  nReference: number,
  nCurrent: number,
): NewCategoryResult {
  if (nCurrent <= 0) return { newRows: 0, statistic: 0, pValue: 1 };
  let logP = 0;
  for (let i = 0; i < newRows; i++) logP += Math.log((nCurrent - i) / (nReference + nCurrent - i));
  return { newRows, statistic: newRows / nCurrent, pValue: Math.exp(logP) };
}
