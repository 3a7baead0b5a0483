/**
 * The built-in learners by `model_type`: one map, so adding a learner is one
 * entry here and one parameter schema in `config/learner-params.ts`.
 */
import {
  BUILTIN_LEARNERS,
  learnerParamsSchema,
  type BuiltinLearner,
  type LearnerParamsByType,
} from "../config/learner-params.js";
import { fitRandomForest, fitDecisionTree } from "./forest.js";
import { fitGradientBoosting } from "./gradient-boosting.js";
import { fitLinearRegression } from "./linear-regression.js";
import { fitLogisticRegression } from "./logistic-regression.js";
import type { FeatureMatrix, FittedModel, Task } from "./model.js";
import { LearnerParamError } from "./params.js";

export { BUILTIN_LEARNERS, type BuiltinLearner };

/** What every learner is told besides its parameters. */
export interface LearnerContext {
  readonly task: Task;
  /** Classes for classification, 1 for regression. */
  readonly nClasses: number;
  readonly seed: number;
  /** Worker threads a learner may use; default: available cores. */
  readonly threads?: number;
}

/**
 * Hyperparameters by scikit-learn's names before they are checked against
 * a learner's schema: the pipeline file's, with tuned values laid over them.
 */
export type LearnerParams = Readonly<Record<string, unknown>>;

/** Fits one learner with its own parameter type. */
export type LearnerFit<P> = (
  X: FeatureMatrix,
  y: Float64Array,
  params: P,
  context: LearnerContext,
) => Promise<FittedModel>;

/** Learners that can use several threads for one fit; tuning runs their trials one at a time. */
export const MULTI_THREADED_LEARNERS: ReadonlySet<BuiltinLearner> = new Set([
  "decision_tree",
  "random_forest",
]);

/** The learner map, each entry taking the parameter type its schema infers. */
export const LEARNERS: { readonly [K in BuiltinLearner]: LearnerFit<LearnerParamsByType[K]> } = {
  decision_tree: (X, y, params, context) => fitDecisionTree(X, y, params, context),
  random_forest: (X, y, params, context) => fitRandomForest(X, y, params, context),
  gradient_boosting: (X, y, params, context) => fitGradientBoosting(X, y, params, context),
  logistic_regression: (X, y, params, context) => fitLogisticRegression(X, y, params, context),
  linear_regression: (X, y, params, context) =>
    Promise.resolve(fitLinearRegression(X, y, params, { task: context.task })),
};

/**
 * Checks parameters against the learner's schema and returns them typed.
 * Values from a pipeline file passed this check at load time; tuned values
 * sampled from a range are checked here, and the first bad one is named.
 */
export function parseLearnerParams<K extends BuiltinLearner>(
  learner: K,
  params: LearnerParams,
): LearnerParamsByType[K] {
  const result = learnerParamsSchema(learner).safeParse(params);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = String(issue.path[0] ?? "");
  throw new LearnerParamError(name, params[name], `a value ${learner} accepts (${issue.message})`);
}

/** Fits a built-in learner on a feature matrix, after checking its parameters. */
export function fitLearner<K extends BuiltinLearner>(
  learner: K,
  params: LearnerParams,
  X: FeatureMatrix,
  y: Float64Array,
  context: LearnerContext,
): Promise<FittedModel> {
  const fit: LearnerFit<LearnerParamsByType[K]> = LEARNERS[learner];
  return fit(X, y, parseLearnerParams(learner, params), context);
}
