/**
 * Hyperparameters of every built-in learner, by scikit-learn's names, as zod
 * schemas: the one source of truth for `model_training.params`, for each
 * value of `hyperparameter_tuning.param_grid`, for the published JSON Schema
 * and for the parameter types the learners take.
 */
import { z } from "zod";
import { describeValue, keyOwners } from "./zod-issues.js";

/** Built-in learner names, in the order the docs and messages list them. */
export const BUILTIN_LEARNERS = [
  "decision_tree",
  "random_forest",
  "gradient_boosting",
  "logistic_regression",
  "linear_regression",
] as const;
/** A built-in learner name. */
export type BuiltinLearner = (typeof BUILTIN_LEARNERS)[number];

/** The most quantile bins a feature may have (bin codes are bytes). */
export const MAX_BINS_LIMIT = 255;

/** Solvers of `logistic_regression`. */
export const LOGISTIC_SOLVERS = ["lbfgs", "newton"] as const;

/**
 * `max_features` accepts a fraction in (0, 1) or a whole count ≥ 1; a
 * number such as 1.5 is neither, and is rejected with both readings named.
 */
const featureCount = z
  .number()
  .gt(0)
  .refine((value) => value < 1 || Number.isInteger(value), {
    error: (issue) =>
      `expected a fraction in (0, 1) or a whole number of features ≥ 1; got ${describeValue(issue.input)}`,
  });

const maxFeatures = z
  .union([z.enum(["sqrt", "log2"]), featureCount, z.null()])
  .optional()
  .describe(
    'Features considered per split: "sqrt", "log2", a fraction in (0, 1), a count ≥ 1, or null for all (write null, not 1.0, for all).',
  );

const classWeightMap = z
  .record(z.string(), z.number().min(0))
  .describe('Weight per class index ("0", "1", …); classes left out weigh 1.');

const optionalLimit = (min: number, what: string) =>
  z.number().int().min(min).nullable().optional().describe(what);
const maxBins = z
  .number()
  .int()
  .min(2)
  .max(MAX_BINS_LIMIT)
  .optional()
  .describe(`Quantile bins per feature, 2…${MAX_BINS_LIMIT} (default ${MAX_BINS_LIMIT}).`);
const maxDepth = optionalLimit(1, "Deepest level of a tree; null (default) for no limit.");

/** `min_samples_leaf`, with the learner's own default in its description. */
function minSamplesLeaf(defaultValue: number) {
  return z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(`Fewest training rows in a leaf (default ${defaultValue}).`);
}

/** `decision_tree` parameters (scikit-learn's `DecisionTreeClassifier`/`Regressor`). */
export const DecisionTreeParams = z
  .strictObject({
    max_depth: maxDepth,
    min_samples_leaf: minSamplesLeaf(1),
    max_features: maxFeatures,
    class_weight: z
      .union([z.null(), z.literal("balanced"), classWeightMap])
      .optional()
      .describe('Class weights: null (default), "balanced" or a map class → weight.'),
    max_bins: maxBins,
  })
  .describe("decision_tree parameters.");
export type DecisionTreeParams = z.infer<typeof DecisionTreeParams>;

/** `random_forest` parameters (scikit-learn's `RandomForestClassifier`/`Regressor`). */
export const RandomForestParams = z
  .strictObject({
    n_estimators: z.number().int().min(1).max(100_000).optional().describe("Number of trees (default 100)."),
    max_depth: maxDepth,
    min_samples_leaf: minSamplesLeaf(1),
    max_features: maxFeatures,
    bootstrap: z.boolean().optional().describe("Draw a bootstrap sample for each tree (default true)."),
    class_weight: z
      .union([z.null(), z.enum(["balanced", "balanced_subsample"]), classWeightMap])
      .optional()
      .describe('Class weights: null (default), "balanced", "balanced_subsample" or a map class → weight.'),
    max_bins: maxBins,
  })
  .describe("random_forest parameters.");
export type RandomForestParams = z.infer<typeof RandomForestParams>;

/** `gradient_boosting` parameters (scikit-learn's `HistGradientBoostingClassifier`/`Regressor`). */
export const GradientBoostingParams = z
  .strictObject({
    n_estimators: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe("Boosting iterations (default 100); max_iter is the same setting under scikit-learn's name."),
    max_iter: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe(
        "scikit-learn's name (HistGradientBoosting) for n_estimators; either may be given, both only with the same value.",
      ),
    learning_rate: z.number().gt(0).optional().describe("Shrinkage applied to every leaf (default 0.1)."),
    max_depth: maxDepth,
    max_leaf_nodes: optionalLimit(2, "Most leaves per tree, grown best-first (default 31; null: no limit)."),
    min_samples_leaf: minSamplesLeaf(20),
    l2_regularization: z.number().min(0).optional().describe("L2 penalty on leaf values (default 0)."),
    early_stopping: z
      .boolean()
      .optional()
      .describe("Stop when the validation loss stops improving (default false)."),
    validation_fraction: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .describe("Share of the training rows held out for early stopping (default 0.1)."),
    n_iter_no_change: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("Iterations without improvement before stopping (default 10)."),
    max_bins: maxBins,
  })
  .superRefine((params, ctx) => {
    const { n_estimators: rounds, max_iter: maxIter } = params;
    if (rounds !== undefined && maxIter !== undefined && rounds !== maxIter)
      ctx.addIssue({
        code: "custom",
        path: ["max_iter"],
        message: `max_iter is scikit-learn's name for n_estimators; got n_estimators ${rounds} and max_iter ${maxIter}: give one, or the same value`,
      });
  })
  .describe("gradient_boosting parameters.");
export type GradientBoostingParams = z.infer<typeof GradientBoostingParams>;

/**
 * gradient_boosting's number of boosting rounds from its parameters:
 * `n_estimators`, else `max_iter` (the same setting under scikit-learn's
 * name), else `undefined` for the default. The schema refuses two different values.
 */
export function readBoostingRounds(params: Readonly<Record<string, unknown>>): unknown {
  return params.n_estimators ?? params.max_iter;
}

/** `logistic_regression` parameters (scikit-learn's `LogisticRegression`, L2 penalty). */
export const LogisticRegressionParams = z
  .strictObject({
    C: z.number().gt(0).optional().describe("Inverse L2 strength (default 1.0)."),
    max_iter: z.number().int().min(1).optional().describe("Iterations of the solver (default 100)."),
    solver: z
      .enum(LOGISTIC_SOLVERS)
      .optional()
      .describe("lbfgs (default) or newton (exact Hessian; for small problems)."),
    tol: z
      .number()
      .min(0)
      .optional()
      .describe("Stop once the largest gradient component is below this (default 1e-4)."),
  })
  .describe("logistic_regression parameters.");
export type LogisticRegressionParams = z.infer<typeof LogisticRegressionParams>;

/** `linear_regression` parameters (scikit-learn's `Ridge`; `alpha: 0` is least squares). */
export const LinearRegressionParams = z
  .strictObject({
    alpha: z
      .number()
      .min(0)
      .optional()
      .describe("L2 strength (default 1.0); 0 gives ordinary least squares."),
    fit_intercept: z.boolean().optional().describe("Fit an unpenalised intercept (default true)."),
  })
  .describe("linear_regression parameters.");
export type LinearRegressionParams = z.infer<typeof LinearRegressionParams>;

/** Each built-in learner's parameter schema, by `model_type`. */
export const LEARNER_PARAMS = {
  decision_tree: DecisionTreeParams,
  random_forest: RandomForestParams,
  gradient_boosting: GradientBoostingParams,
  logistic_regression: LogisticRegressionParams,
  linear_regression: LinearRegressionParams,
} as const satisfies Record<BuiltinLearner, z.ZodObject>;

/** The parameter type of each built-in learner. */
export type LearnerParamsByType = { [K in BuiltinLearner]: z.infer<(typeof LEARNER_PARAMS)[K]> };

/** The same schemas, typed by learner so a generic caller gets the matching parameter type. */
const TYPED_LEARNER_PARAMS: { readonly [K in BuiltinLearner]: z.ZodType<LearnerParamsByType[K]> } =
  LEARNER_PARAMS;

/** The parameter schema of one learner. */
export function learnerParamsSchema<K extends BuiltinLearner>(learner: K): z.ZodType<LearnerParamsByType[K]> {
  return TYPED_LEARNER_PARAMS[learner];
}

/** The parameter names a learner accepts, in declaration order. */
export function listLearnerParams(learner: BuiltinLearner): string[] {
  return Object.keys(LEARNER_PARAMS[learner].shape);
}

/** The schema of one parameter of a learner, or undefined when the learner has no such parameter. */
export function findParamSchema(learner: BuiltinLearner, name: string): z.ZodType | undefined {
  return new Map<string, z.ZodType>(Object.entries(LEARNER_PARAMS[learner].shape)).get(name);
}

// An unknown key in a learner's params reads "random_forest has no parameter …".
for (const learner of BUILTIN_LEARNERS)
  keyOwners.add(LEARNER_PARAMS[learner], { owner: learner, noun: "parameter" });
