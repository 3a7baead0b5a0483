/**
 * The built-in learners by `model_type`: one map, so adding a learner is one
 * entry here and one enum value in the pipeline schema.
 */
import { fitRandomForest, fitDecisionTree } from "./forest.js";
import { fitGradientBoosting } from "./gradient-boosting.js";
import { fitLinearRegression } from "./linear-regression.js";
import { fitLogisticRegression } from "./logistic-regression.js";
import type { FeatureMatrix, FittedModel, Task } from "./model.js";

/** What every learner is told besides its parameters. */
export interface LearnerContext {
  readonly task: Task;
  /** Classes for classification, 1 for regression. */
  readonly nClasses: number;
  readonly seed: number;
  /** Worker threads a learner may use; default: available cores. */
  readonly threads?: number;
}

/** Hyperparameters by scikit-learn's names, as the pipeline YAML gives them. */
export type LearnerParams = Readonly<Record<string, unknown>>;

/** Fits one learner. */
export type LearnerFit = (
  X: FeatureMatrix,
  y: Float64Array,
  params: LearnerParams,
  context: LearnerContext,
) => Promise<FittedModel>;

/** Built-in learner names. */
export const BUILTIN_LEARNERS = [
  "decision_tree",
  "random_forest",
  "gradient_boosting",
  "logistic_regression",
  "linear_regression",
] as const;
export type BuiltinLearner = (typeof BUILTIN_LEARNERS)[number];

/** Learners that can use several threads for one fit; tuning runs their trials one at a time. */
export const MULTI_THREADED_LEARNERS: ReadonlySet<BuiltinLearner> = new Set([
  "decision_tree",
  "random_forest",
]);

/** The learner map. Each learner validates its own parameters and names the bad one. */
export const LEARNERS: Record<BuiltinLearner, LearnerFit> = {
  decision_tree: (X, y, params, context) => fitDecisionTree(X, y, params, context),
  random_forest: (X, y, params, context) => fitRandomForest(X, y, params, context),
  gradient_boosting: (X, y, params, context) => fitGradientBoosting(X, y, params, context),
  logistic_regression: (X, y, params, context) => fitLogisticRegression(X, y, params, context),
  linear_regression: (X, y, params, context) =>
    Promise.resolve(fitLinearRegression(X, y, params, { task: context.task })),
};
