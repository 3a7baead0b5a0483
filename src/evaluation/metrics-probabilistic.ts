/**
 * Metrics over predicted probabilities: ROC AUC, average precision (PR AUC)
 * and log loss. Binary tasks score the last class (the positive one);
 * multiclass tasks average one-vs-rest scores over classes (macro).
 */
import { DataError } from "../common/errors.js";
import { computeBinaryRocAuc } from "../common/statistics/roc-auc.js";
import { computeBinaryCurveCounts } from "./curves.js";
import { checkCodes, checkProbabilities } from "./metrics-input.js";

/** Smallest probability log loss uses: float64 machine epsilon, scikit-learn's clip. */
const LOG_LOSS_EPS = 2.220446049250313e-16;

function column(probabilities: ArrayLike<number>, nClasses: number, k: number): Float64Array {
  const n = probabilities.length / nClasses;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = probabilities[i * nClasses + k]!;
  return out;
}

function indicator(yTrue: ArrayLike<number>, k: number): Uint8Array {
  return Uint8Array.from({ length: yTrue.length }, (_, i) => (yTrue[i] === k ? 1 : 0));
}

/**
 * Binary average precision: Σ (Rₙ − Rₙ₋₁)·Pₙ over distinct thresholds, the
 * step-wise area scikit-learn's `average_precision_score` computes (no
 * interpolation).
 *
 * @throws DataError when y_true has no positive row.
 */
export function computeBinaryAveragePrecision(
  positive: ArrayLike<number>,
  scores: ArrayLike<number>,
): number {
  const { tps, fps } = computeBinaryCurveCounts(positive, scores);
  const m = tps.length;
  const p = tps[m - 1]!;
  if (p === 0) throw new DataError("average precision is undefined: y_true holds no positive row");
  let ap = 0;
  let prevRecall = 0;
  for (let i = 0; i < m; i++) {
    const recall = tps[i]! / p;
    ap += (recall - prevRecall) * (tps[i]! / (tps[i]! + fps[i]!));
    prevRecall = recall;
  }
  return ap;
}

function ovrMacro(
  name: string,
  yTrue: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  nClasses: number,
  score: (positive: Uint8Array, scores: Float64Array) => number,
): number {
  checkProbabilities(probabilities, yTrue.length, nClasses);
  checkCodes("y_true", yTrue, nClasses);
  if (nClasses === 2) return score(indicator(yTrue, 1), column(probabilities, 2, 1));
  let sum = 0;
  for (let k = 0; k < nClasses; k++) {
    const positive = indicator(yTrue, k);
    if (!positive.includes(1)) {
      throw new DataError(
        `${name} is undefined: class code ${k} has no rows in y_true (one-vs-rest needs every class)`,
      );
    }
    sum += score(positive, column(probabilities, nClasses, k));
  }
  return sum / nClasses;
}

/** ROC AUC: binary on the last class, macro one-vs-rest for multiclass. */
export function computeRocAuc(
  yTrue: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  nClasses: number,
): number {
  return ovrMacro("ROC AUC", yTrue, probabilities, nClasses, computeBinaryRocAuc);
}

/** Average precision (PR AUC): binary on the last class, macro one-vs-rest for multiclass. */
export function computeAveragePrecision(
  yTrue: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  nClasses: number,
): number {
  return ovrMacro("average precision", yTrue, probabilities, nClasses, computeBinaryAveragePrecision);
}

/**
 * Mean negative log-likelihood of the true class. Probabilities are clipped
 * to [ε, 1−ε] and each row renormalised, as scikit-learn does, so a
 * confident mistake costs about 36 rather than infinity.
 */
export function computeLogLoss(
  yTrue: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  nClasses: number,
): number {
  checkProbabilities(probabilities, yTrue.length, nClasses);
  checkCodes("y_true", yTrue, nClasses);
  const n = yTrue.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let rowSum = 0;
    for (let k = 0; k < nClasses; k++)
      rowSum += Math.min(Math.max(probabilities[i * nClasses + k]!, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS);
    const p = Math.min(Math.max(probabilities[i * nClasses + yTrue[i]!]!, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS);
    total -= Math.log(p / rowSum);
  }
  return total / n;
}
