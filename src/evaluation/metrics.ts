/**
 * Every metric a pipeline can report or gate on, computed in one call per
 * task. A metric that is undefined for the data (ROC AUC when y_true holds
 * one class, R² on one row) is left out of `values` and listed in
 * `unavailable` with the reason: a NaN never reaches a gate.
 */
import { DataError } from "../common/errors.js";
import {
  computeAccuracy,
  computeBalancedAccuracy,
  computeConfusionMatrix,
  computePrecisionRecallF1,
} from "./metrics-classification.js";
import { checkCodes, checkProbabilities, computeArgmax } from "./metrics-input.js";
import { computeAveragePrecision, computeLogLoss, computeRocAuc } from "./metrics-probabilistic.js";
import { computeMae, computeMape, computeR2, computeRmse } from "./metrics-regression.js";

export * from "./metrics-classification.js";
export * from "./metrics-probabilistic.js";
export * from "./metrics-regression.js";
export { computeArgmax } from "./metrics-input.js";

/** Metric names, as `--json` prints them; declared once beside the pipeline file format that names them. */
export {
  CLASSIFICATION_METRICS,
  LOWER_IS_BETTER,
  METRIC_NAMES,
  REGRESSION_METRICS,
  type MetricName,
} from "../config/task-metrics.js";
import type { CLASSIFICATION_METRICS, REGRESSION_METRICS } from "../config/task-metrics.js";

/** A classification metric name. */
export type ClassificationMetricName = (typeof CLASSIFICATION_METRICS)[number];
/** A regression metric name. */
export type RegressionMetricName = (typeof REGRESSION_METRICS)[number];

/** The metrics of one evaluation. */
export interface MetricResult<Name extends string> {
  /** Defined metrics only; every value is finite. */
  readonly values: Partial<Record<Name, number>>;
  /** Metrics that are undefined for this data, with the reason. */
  readonly unavailable: Partial<Record<Name, string>>;
}

/** Classification metrics plus the confusion matrix. */
export interface ClassificationMetricResult extends MetricResult<ClassificationMetricName> {
  /** `confusionMatrix[t][p]` counts rows of true class t predicted as p. */
  readonly confusionMatrix: number[][];
}

/** Input of {@link computeClassificationMetrics}. */
export interface ClassificationInput {
  /** True class codes 0…k-1. */
  readonly yTrue: ArrayLike<number>;
  /** n × k row-major class probabilities. */
  readonly probabilities: ArrayLike<number>;
  readonly nClasses: number;
  /** Predicted codes; the most probable class when absent. */
  readonly predictions?: ArrayLike<number>;
}

function attempt<Name extends string>(
  values: Partial<Record<Name, number>>,
  unavailable: Partial<Record<Name, string>>,
  name: Name,
  compute: () => number,
): void {
  try {
    const value = compute();
    if (!Number.isFinite(value)) throw new DataError(`${name} came out as ${value}`);
    values[name] = value;
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
    unavailable[name] = error.message;
  }
}

/**
 * Computes every classification metric. For a binary task `precision`,
 * `recall` and `f1` score the positive class (the last, code 1); for a
 * multiclass task they equal the macro averages, so a gate on `f1` reads
 * the same way for both.
 *
 * @throws DataError for malformed input (lengths, codes, probabilities
 * outside [0, 1]); undefined metrics are reported, not thrown.
 */
export function computeClassificationMetrics(input: ClassificationInput): ClassificationMetricResult {
  const { yTrue, probabilities, nClasses } = input;
  checkProbabilities(probabilities, yTrue.length, nClasses);
  checkCodes("y_true", yTrue, nClasses);
  const yPred = input.predictions ?? computeArgmax(probabilities, nClasses);
  const confusionMatrix = computeConfusionMatrix(yTrue, yPred, nClasses);
  const values: Partial<Record<ClassificationMetricName, number>> = {};
  const unavailable: Partial<Record<ClassificationMetricName, string>> = {};
  attempt(values, unavailable, "accuracy", () => computeAccuracy(yTrue, yPred));
  attempt(values, unavailable, "balanced_accuracy", () => computeBalancedAccuracy(yTrue, yPred, nClasses));
  const prf = computePrecisionRecallF1(yTrue, yPred, nClasses);
  const binary = nClasses === 2;
  values.precision = binary ? prf.precision[1]! : prf.precisionMacro;
  values.recall = binary ? prf.recall[1]! : prf.recallMacro;
  values.f1 = binary ? prf.f1[1]! : prf.f1Macro;
  values.precision_macro = prf.precisionMacro;
  values.recall_macro = prf.recallMacro;
  values.f1_macro = prf.f1Macro;
  attempt(values, unavailable, "roc_auc", () => computeRocAuc(yTrue, probabilities, nClasses));
  attempt(values, unavailable, "pr_auc", () => computeAveragePrecision(yTrue, probabilities, nClasses));
  attempt(values, unavailable, "log_loss", () => computeLogLoss(yTrue, probabilities, nClasses));
  return { values, unavailable, confusionMatrix };
}

/**
 * Computes every regression metric.
 *
 * @throws DataError for malformed input (lengths, non-finite values).
 */
export function computeRegressionMetrics(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
): MetricResult<RegressionMetricName> {
  const values: Partial<Record<RegressionMetricName, number>> = {};
  const unavailable: Partial<Record<RegressionMetricName, string>> = {};
  values.rmse = computeRmse(yTrue, yPred);
  values.mae = computeMae(yTrue, yPred);
  attempt(values, unavailable, "r2", () => computeR2(yTrue, yPred));
  values.mape = computeMape(yTrue, yPred);
  return { values, unavailable };
}
