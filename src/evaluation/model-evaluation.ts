/**
 * Everything the reports show about a model on its holdout, from one set of
 * predictions: the metrics, the confusion matrix and, for binary tasks, the
 * ROC and PR curves (downsampled for charts).
 */
import type { Task } from "../learners/model.js";
import { computePrCurve, computeRocCurve, downsampleCurve, type ChartPoints } from "./curves.js";
import { computeClassificationMetrics, computeRegressionMetrics } from "./metrics.js";

/** Predictions to evaluate: class probabilities (n × k) or regression values (n × 1). */
export interface EvaluationInput {
  readonly task: Task;
  readonly yTrue: ArrayLike<number>;
  readonly scores: ArrayLike<number>;
  /** Classes for classification, 1 for regression. */
  readonly nClasses: number;
  /** Predicted classes; the most probable when absent. */
  readonly labels?: ArrayLike<number>;
}

/** What the reports show about a model. */
export interface ModelEvaluation {
  /** Every defined metric; all finite. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Metrics undefined for this data, with the reason (never NaN in `metrics`). */
  readonly unavailable: Readonly<Record<string, string>>;
  /** `[true][predicted]` counts, for classification. */
  readonly confusion_matrix?: number[][];
  /** Binary classification curves. */
  readonly curves?: { readonly roc: ChartPoints; readonly pr: ChartPoints };
}

/** Evaluates predictions on the holdout. */
export function evaluatePredictions(input: EvaluationInput): ModelEvaluation {
  if (input.task === "regression") {
    const result = computeRegressionMetrics(input.yTrue, input.scores);
    return { metrics: result.values, unavailable: result.unavailable };
  }
  const result = computeClassificationMetrics({
    yTrue: input.yTrue,
    probabilities: input.scores,
    nClasses: input.nClasses,
    ...(input.labels ? { predictions: input.labels } : {}),
  });
  const base = {
    metrics: result.values,
    unavailable: result.unavailable,
    confusion_matrix: result.confusionMatrix,
  };
  if (input.nClasses !== 2) return base;
  const n = input.yTrue.length;
  const positive = Float64Array.from({ length: n }, (_, i) => (input.yTrue[i] === 1 ? 1 : 0));
  const score = Float64Array.from({ length: n }, (_, i) => input.scores[i * 2 + 1]!);
  try {
    const roc = computeRocCurve(positive, score);
    const pr = computePrCurve(positive, score);
    return {
      ...base,
      curves: { roc: downsampleCurve(roc.fpr, roc.tpr), pr: downsampleCurve(pr.recall, pr.precision) },
    };
  } catch {
    // A holdout with one class present has no curves; the metrics say why.
    return base;
  }
}
