/**
 * ROC AUC by ranks (the Mann–Whitney U statistic with midranks for ties, so
 * a tied pair counts half) and the one-sided test of AUC > 0.5 by the normal
 * approximation of U, tie-corrected. U is a sum of half-integers, exact in
 * float64, so AUC = U / (n₁·n₀) is the correctly rounded ratio: the same
 * number as scikit-learn's trapezoidal `roc_auc_score`.
 *
 * One behaviour for a single-class input, scikit-learn's: the AUC is
 * undefined and a {@link DataError} says so. (A drift check that has only
 * one window has nothing to compare; the metric report lists the metric as
 * unavailable.)
 */
import { DataError } from "../errors.js";
import { normalSf } from "./special-functions.js";

/** ROC AUC and its one-sided p-value against 0.5. */
export interface RocAucTest {
  readonly auc: number;
  readonly pValue: number;
}

/**
 * AUC of `scores` for separating rows where `positive` is 1 from rows where
 * it is 0, and the one-sided p-value of AUC > 0.5 (Mann–Whitney, normal
 * approximation with the tie correction).
 *
 * @throws DataError when only one class is present.
 */
export function computeRocAucTest(positive: ArrayLike<number>, scores: ArrayLike<number>): RocAucTest {
  const n = scores.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[a]! - scores[b]!);
  let n1 = 0;
  for (let i = 0; i < n; i++) if (positive[i] === 1) n1++;
  const n0 = n - n1;
  if (n1 === 0 || n0 === 0) {
    throw new DataError("ROC AUC is undefined: only one class is present in y_true");
  }
  let rankSumPositives = 0;
  let tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const midrank = (i + j) / 2 + 1;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) if (positive[order[k]!] === 1) rankSumPositives += midrank;
    i = j + 1;
  }
  const u = rankSumPositives - (n1 * (n1 + 1)) / 2;
  const auc = u / (n1 * n0);
  const variance = ((n1 * n0) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return { auc, pValue: 1 };
  const z = (u - (n1 * n0) / 2) / Math.sqrt(variance);
  return { auc, pValue: normalSf(z) };
}

/**
 * Binary ROC AUC: the area under the ROC curve, where tied scores count
 * half (scikit-learn's `roc_auc_score`).
 *
 * @throws DataError when only one class is present.
 */
export function computeBinaryRocAuc(positive: ArrayLike<number>, scores: ArrayLike<number>): number {
  return computeRocAucTest(positive, scores).auc;
}
