/**
 * The fitted-model contract shared by learners (which produce it), the ONNX
 * exporter (which writes it as a graph) and the server (which runs the graph).
 *
 * Numeric conventions, chosen so the ONNX graph reproduces the TypeScript
 * model exactly:
 * - Learners see a {@link FeatureMatrix} whose values are already
 *   float32-representable (the feature transform rounds with `Math.fround`,
 *   the way ONNX computes in float32).
 * - A tree node sends a row left when `x[feature] <= threshold`
 *   (ONNX `BRANCH_LEQ`), and every threshold is a float32 value.
 */

import type { Task } from "../config/task-metrics.js";

/** What a model predicts (declared once, in the config). */
export type { Task };

/** A dense feature matrix, column-major: `columns[j][i]` is row i of feature j. */
export interface FeatureMatrix {
  readonly nRows: number;
  readonly columns: readonly Float64Array[];
  /** Feature names after the transform (one-hot columns included), same order as `columns`. */
  readonly names: readonly string[];
}

/**
 * One binary tree in flat arrays. Node 0 is the root. For an internal node,
 * `feature[i] >= 0`; for a leaf, `feature[i] === -1` and its outputs are
 * `value[i * nOutputs … (i + 1) * nOutputs)`.
 */
export interface TreeArrays {
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
  readonly nOutputs: number;
  /**
   * Weighted impurity decrease (forests) or loss reduction (boosting) of the
   * split at node i; 0 for a leaf. Optional: only feature importance reads it,
   * and a model without it reports no tree importance.
   */
  readonly gain?: Float64Array;
}

/** How per-output scores become the model's output. */
export type PostTransform = "none" | "logistic" | "softmax";

/**
 * A forest or a boosted ensemble.
 * - Forests: `aggregation: "average"`, leaves hold class probabilities
 *   (classification, one output per class) or the mean target (regression).
 * - Boosting: `aggregation: "sum"`, leaves hold raw scores, `baseScore` is
 *   added, then `postTransform` applies (binary log-loss has one output: the
 *   positive class's logit).
 */
export interface TreeEnsembleModel {
  readonly kind: "tree_ensemble";
  readonly task: Task;
  readonly trees: readonly TreeArrays[];
  readonly aggregation: "average" | "sum";
  readonly baseScore: Float64Array;
  readonly postTransform: PostTransform;
  readonly nFeatures: number;
  /** Number of classes for classification, 1 for regression. */
  readonly nClasses: number;
}

/**
 * A linear model: `scores[k] = intercepts[k] + Σ_j coefficients[k * nFeatures + j] · x[j]`.
 * Binary logistic regression has one output (the positive class's logit).
 */
export interface LinearModel {
  readonly kind: "linear";
  readonly task: Task;
  readonly coefficients: Float64Array;
  readonly intercepts: Float64Array;
  readonly postTransform: PostTransform;
  readonly nFeatures: number;
  readonly nClasses: number;
}

/** Any model a built-in learner fits. */
export type FittedModel = TreeEnsembleModel | LinearModel;
