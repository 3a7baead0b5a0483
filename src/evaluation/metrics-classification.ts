/**
 * Label metrics over predicted classes: accuracy, balanced accuracy,
 * precision, recall, F1, confusion matrix — scikit-learn's definitions,
 * including its zero-division rule (a 0/0 ratio scores 0).
 */
import { DataError } from "../common/errors.js";
import { checkCodes, checkSameLength } from "./metrics-input.js";

/** `matrix[t][p]` counts rows of true class t predicted as p. */
export function computeConfusionMatrix(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  nClasses: number,
): number[][] {
  checkSameLength(yTrue, yPred, "confusion matrix");
  checkCodes("y_true", yTrue, nClasses);
  checkCodes("y_pred", yPred, nClasses);
  const matrix = Array.from({ length: nClasses }, () => new Array<number>(nClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) matrix[yTrue[i]!]![yPred[i]!]! += 1;
  return matrix;
}

/** Share of rows predicted right. */
export function computeAccuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkSameLength(yTrue, yPred, "accuracy");
  let right = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) right++;
  return right / yTrue.length;
}

/** Mean recall over the classes present in y_true (scikit-learn ignores absent ones). */
export function computeBalancedAccuracy(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  nClasses: number,
): number {
  const matrix = computeConfusionMatrix(yTrue, yPred, nClasses);
  let sum = 0;
  let present = 0;
  matrix.forEach((row, k) => {
    const support = row.reduce((a, b) => a + b, 0);
    if (support > 0) {
      sum += row[k]! / support;
      present++;
    }
  });
  return sum / present;
}

/** Precision, recall and F1 of each class, plus the binary and macro summaries. */
export interface PrecisionRecallF1 {
  /** Per class, index = class code. */
  readonly precision: Float64Array;
  readonly recall: Float64Array;
  readonly f1: Float64Array;
  /** Means over the classes present in y_true or y_pred (scikit-learn's label set). */
  readonly precisionMacro: number;
  readonly recallMacro: number;
  readonly f1Macro: number;
}

function ratio(num: number, den: number): number {
  return den > 0 ? num / den : 0;
}

/** Computes per-class and macro precision, recall and F1. */
export function computePrecisionRecallF1(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  nClasses: number,
): PrecisionRecallF1 {
  const matrix = computeConfusionMatrix(yTrue, yPred, nClasses);
  const precision = new Float64Array(nClasses);
  const recall = new Float64Array(nClasses);
  const f1 = new Float64Array(nClasses);
  const present: number[] = [];
  for (let k = 0; k < nClasses; k++) {
    const tp = matrix[k]![k]!;
    let trueCount = 0;
    let predCount = 0;
    for (let j = 0; j < nClasses; j++) {
      trueCount += matrix[k]![j]!;
      predCount += matrix[j]![k]!;
    }
    precision[k] = ratio(tp, predCount);
    recall[k] = ratio(tp, trueCount);
    f1[k] = ratio(2 * precision[k]! * recall[k]!, precision[k]! + recall[k]!);
    if (trueCount + predCount > 0) present.push(k);
  }
  if (present.length === 0) throw new DataError("precision and recall need at least one row");
  const mean = (values: Float64Array): number => present.reduce((s, k) => s + values[k]!, 0) / present.length;
  return {
    precision,
    recall,
    f1,
    precisionMacro: mean(precision),
    recallMacro: mean(recall),
    f1Macro: mean(f1),
  };
}
