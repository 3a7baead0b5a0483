/**
 * `pipelines/<name>.yaml`: how one model is built. The seed's pipeline is
 * valid as written (snake_case keys); optional sections extend it.
 */
import { z } from "zod";
import { suggestClosest } from "./did-you-mean.js";
import { Duration } from "./duration.js";
import { ModelName } from "./model-ref.js";
import { MetricName, METRICS_BY_TASK, TaskName, type Task } from "./task-metrics.js";

/** Built-in learners, plus `command` for bring-your-own training. */
export const MODEL_TYPES = [
  "decision_tree",
  "random_forest",
  "gradient_boosting",
  "logistic_regression",
  "linear_regression",
  "command",
] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

/** Hyperparameters each learner accepts, by scikit-learn's names. */
export const MODEL_PARAMS: Record<Exclude<ModelType, "command">, readonly string[]> = {
  decision_tree: ["max_depth", "min_samples_leaf", "max_features", "class_weight", "max_bins"],
  random_forest: [
    "n_estimators",
    "max_depth",
    "min_samples_leaf",
    "max_features",
    "bootstrap",
    "class_weight",
    "max_bins",
  ],
  gradient_boosting: [
    "n_estimators",
    "learning_rate",
    "max_depth",
    "max_leaf_nodes",
    "min_samples_leaf",
    "l2_regularization",
    "early_stopping",
    "validation_fraction",
    "n_iter_no_change",
    "max_bins",
  ],
  logistic_regression: ["C", "max_iter", "solver", "tol"],
  linear_regression: ["alpha", "fit_intercept"],
};

/** Where a table comes from. Paths are relative to the repository root. */
export const DataSource = z
  .strictObject({
    type: z.enum(["csv", "parquet"]).describe("File format."),
    path: z.string().min(1).describe("Path relative to the repository root, or absolute."),
    missing_values: z
      .array(z.string())
      .optional()
      .describe('Tokens read as missing; default "", NA, NaN, null, ?.'),
    column_types: z
      .record(z.string(), z.enum(["numeric", "categorical"]))
      .optional()
      .describe("Overrides of the inferred column types."),
  })
  .describe("A data file.");
export type DataSource = z.infer<typeof DataSource>;

const NumericOptions = z.strictObject({
  imputation: z
    .enum(["median", "mean", "constant"])
    .optional()
    .describe("How missing values are filled (default median)."),
  fill_value: z.number().optional().describe("The value for `imputation: constant`."),
  scaling: z.enum(["standard", "minmax", "none"]).optional().describe("Scaling (default standard)."),
});
const CategoricalOptions = z.strictObject({
  imputation: z
    .enum(["most_frequent", "constant"])
    .optional()
    .describe("How missing values are filled (default most_frequent)."),
  fill_value: z.string().optional().describe("The value for `imputation: constant`."),
  min_frequency: z
    .number()
    .gt(0)
    .optional()
    .describe("Categories rarer than this (a count ≥ 1, or a fraction < 1) share one 'other' column."),
});

/** Feature lists and their options. */
export const FeatureEngineering = z
  .strictObject({
    numeric_features: z.array(z.string().min(1)).default([]).describe("Numeric input columns."),
    categorical_features: z.array(z.string().min(1)).default([]).describe("Categorical input columns."),
    numeric: NumericOptions.optional().describe("Defaults for every numeric feature."),
    categorical: CategoricalOptions.optional().describe("Defaults for every categorical feature."),
    per_feature: z
      .record(z.string(), z.union([NumericOptions, CategoricalOptions]))
      .optional()
      .describe("Options for single features, overriding the defaults."),
  })
  .describe("Which columns feed the model and how they are prepared.");

/** Data loading and features. */
export const DataProcessing = z
  .strictObject({
    data_source: DataSource,
    feature_engineering: FeatureEngineering,
  })
  .describe("Data loading and feature preparation.");

/** A user's own training command (`model_type: command`). */
export const TrainingCommand = z
  .strictObject({
    run: z.string().min(1).describe("Shell command, run from the repository root; it writes model.onnx."),
    timeout: Duration.optional().describe("Longest the command may run (default 1h)."),
  })
  .describe("Bring-your-own training: a command that writes model.onnx to $META_CONTROLLER_OUTPUT_DIR.");

/** The learner and its target. */
export const ModelTraining = z
  .strictObject({
    model_type: z.enum(MODEL_TYPES).describe("The learner."),
    target_column: z.string().min(1).describe("The column to predict."),
    task: TaskName.optional().describe(
      "Inferred when absent: an integer target with few values, or text, is classification.",
    ),
    test_size: z.number().gt(0).lt(1).default(0.2).describe("Share of rows held out for evaluation."),
    stratify: z
      .boolean()
      .optional()
      .describe("Stratify the split by class (default true for classification)."),
    seed: z.number().int().min(0).default(42).describe("Seed for every random choice."),
    params: z
      .record(
        z.string(),
        z.union([z.number(), z.string(), z.boolean(), z.null(), z.record(z.string(), z.number())]),
      )
      .default({})
      .describe("Hyperparameters, by scikit-learn's names."),
    command: TrainingCommand.optional(),
  })
  .describe("Learner, target and split.");

const ParamValue = z.union([z.number(), z.string(), z.boolean(), z.null()]);
const Distribution = z.union([
  z.strictObject({
    type: z.enum(["int", "float"]),
    low: z.number(),
    high: z.number(),
    log: z.boolean().optional(),
    step: z.number().gt(0).optional(),
  }),
  z.strictObject({ type: z.literal("categorical"), choices: z.array(ParamValue).min(1) }),
]);

/** Hyperparameter search. */
export const HyperparameterTuning = z
  .strictObject({
    strategy: z.enum(["grid", "random", "tpe", "halving"]).default("grid").describe("Search strategy."),
    param_grid: z
      .record(z.string(), z.array(ParamValue).min(1))
      .optional()
      .describe("Values to try per parameter; null means no limit."),
    distributions: z.record(z.string(), Distribution).optional().describe("Ranges to sample per parameter."),
    n_trials: z.number().int().min(1).optional().describe("Trial budget (random, tpe, halving)."),
    metric: MetricName.optional().describe("Metric to optimise (default roc_auc or r2)."),
    cv_folds: z
      .number()
      .int()
      .min(2)
      .max(20)
      .default(5)
      .describe("Cross-validation folds on the training rows."),
    halving: z
      .strictObject({
        resource: z.enum(["n_estimators", "rows"]).default("n_estimators"),
        factor: z.number().gt(1).default(3),
        min_resource: z.number().gt(0).optional(),
      })
      .optional()
      .describe("Successive-halving budget."),
    timeout: Duration.optional().describe("Stop starting trials after this long."),
  })
  .describe("Hyperparameter tuning.");

/** One gate: a metric must clear a bound, absolutely or against a deployed model. */
export const Gate = z
  .strictObject({
    metric: MetricName,
    min: z.number().optional().describe("Lowest acceptable value."),
    max: z.number().optional().describe("Highest acceptable value."),
    compare_to: z
      .string()
      .min(1)
      .optional()
      .describe("Environment whose stable model is the champion to compare against."),
    max_regression: z
      .number()
      .min(0)
      .optional()
      .describe("With compare_to: how much worse than the champion the challenger may be."),
  })
  .superRefine((gate, ctx) => {
    if (gate.min === undefined && gate.max === undefined && gate.compare_to === undefined) {
      ctx.addIssue({ code: "custom", message: "a gate needs min, max or compare_to" });
    }
    if (gate.max_regression !== undefined && gate.compare_to === undefined) {
      ctx.addIssue({ code: "custom", path: ["max_regression"], message: "max_regression needs compare_to" });
    }
  })
  .describe("A quality gate.");

/** Evaluation on the holdout. */
export const Evaluation = z
  .strictObject({
    data_source: DataSource.optional().describe("A separate holdout file; otherwise a split of the data."),
    metrics: z.array(MetricName).optional().describe("Metrics to report (default: all for the task)."),
    gates: z.array(Gate).default([]).describe("Gates the model must pass before it is pushed."),
  })
  .describe("Evaluation and gates.");

/** The file format of `pipelines/<name>.yaml`. */
export const PipelineSpec = z
  .strictObject({
    name: ModelName.describe("Pipeline and model name."),
    description: z.string().optional(),
    data_processing: DataProcessing,
    model_training: ModelTraining,
    enable_hyperparameter_tuning: z.boolean().default(false).describe("Run the tuning section."),
    hyperparameter_tuning: HyperparameterTuning.optional(),
    evaluation: Evaluation.default({ gates: [] }),
    registry: z
      .strictObject({
        name: ModelName.optional().describe("Repository name in the registry (default: the pipeline name)."),
        url: z.string().min(1).optional().describe("Registry URL `oci://host/namespace` or a local folder."),
      })
      .optional()
      .describe("Where the model is pushed."),
  })
  .superRefine((spec, ctx) => checkPipelineReferences(spec, ctx))
  .describe("A Meta-Controller training pipeline.");
export type PipelineSpec = z.infer<typeof PipelineSpec>;

type PipelineValue = {
  data_processing: { feature_engineering: { numeric_features: string[]; categorical_features: string[] } };
  model_training: {
    model_type: ModelType;
    target_column: string;
    task?: Task | undefined;
    params: Record<string, unknown>;
    command?: unknown;
  };
  enable_hyperparameter_tuning: boolean;
  hyperparameter_tuning?:
    | {
        strategy: string;
        param_grid?: Record<string, unknown> | undefined;
        distributions?: Record<string, unknown> | undefined;
        metric?: MetricName | undefined;
      }
    | undefined;
  evaluation: { metrics?: MetricName[] | undefined; gates: { metric: MetricName }[] };
};

/** Cross-field checks: references between sections of one pipeline. */
function checkPipelineReferences(spec: PipelineValue, ctx: z.RefinementCtx): void {
  const features = spec.data_processing.feature_engineering;
  const { model_type: modelType, target_column: target } = spec.model_training;
  const featurePath = ["data_processing", "feature_engineering"];

  if (
    features.numeric_features.length + features.categorical_features.length === 0 &&
    modelType !== "command"
  ) {
    ctx.addIssue({
      code: "custom",
      path: [...featurePath, "numeric_features"],
      message: "no features: list at least one numeric or categorical feature",
    });
  }
  const seen = new Map<string, string>();
  for (const kind of ["numeric_features", "categorical_features"] as const) {
    features[kind].forEach((name, i) => {
      if (name === target) {
        ctx.addIssue({
          code: "custom",
          path: [...featurePath, kind, i],
          message: `target column ${JSON.stringify(target)} cannot also be a feature`,
        });
      }
      const previous = seen.get(name);
      if (previous !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: [...featurePath, kind, i],
          message: `feature ${JSON.stringify(name)} is listed twice (also in ${previous})`,
        });
      }
      seen.set(name, kind);
    });
  }

  if (modelType === "command" && spec.model_training.command === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["model_training", "model_type"],
      message: "model_type command needs a model_training.command section with `run`",
    });
  }
  if (modelType !== "command" && spec.model_training.command !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["model_training", "command"],
      message: `model_training.command is only used with model_type: command (model_type is ${modelType})`,
    });
  }

  const known = modelType === "command" ? undefined : MODEL_PARAMS[modelType];
  const checkParamNames = (names: string[], path: (string | number)[]) => {
    if (!known) return;
    for (const name of names) {
      if (known.includes(name)) continue;
      const hint = suggestClosest(name, known);
      ctx.addIssue({
        code: "custom",
        path: [...path, name],
        params: { at: "key" },
        message: `${modelType} has no parameter ${JSON.stringify(name)}; ${hint ? `did you mean ${JSON.stringify(hint)}?` : `expected one of ${known.join(", ")}`}`,
      });
    }
  };
  checkParamNames(Object.keys(spec.model_training.params), ["model_training", "params"]);

  const tuning = spec.hyperparameter_tuning;
  if (spec.enable_hyperparameter_tuning) {
    if (!tuning) {
      ctx.addIssue({
        code: "custom",
        path: ["enable_hyperparameter_tuning"],
        message: "tuning is enabled but there is no hyperparameter_tuning section",
      });
    } else if (!tuning.param_grid && !tuning.distributions) {
      ctx.addIssue({
        code: "custom",
        path: ["hyperparameter_tuning"],
        message: "hyperparameter_tuning needs param_grid or distributions",
      });
    } else if (tuning.strategy === "grid" && !tuning.param_grid) {
      ctx.addIssue({
        code: "custom",
        path: ["hyperparameter_tuning", "strategy"],
        message: "strategy grid needs param_grid",
      });
    }
    if (modelType === "command") {
      ctx.addIssue({
        code: "custom",
        path: ["enable_hyperparameter_tuning"],
        message: "tuning is not available with model_type: command; tune inside your command",
      });
    }
  }
  if (tuning?.param_grid)
    checkParamNames(Object.keys(tuning.param_grid), ["hyperparameter_tuning", "param_grid"]);
  if (tuning?.distributions)
    checkParamNames(Object.keys(tuning.distributions), ["hyperparameter_tuning", "distributions"]);

  const task = spec.model_training.task;
  const wrongFamily = (metric: MetricName): boolean =>
    task !== undefined && !METRICS_BY_TASK[task].includes(metric);
  const checkMetric = (metric: MetricName | undefined, path: (string | number)[]) => {
    if (metric !== undefined && wrongFamily(metric)) {
      ctx.addIssue({ code: "custom", path, message: `metric ${metric} does not apply to a ${task} task` });
    }
  };
  checkMetric(tuning?.metric, ["hyperparameter_tuning", "metric"]);
  spec.evaluation.metrics?.forEach((m, i) => checkMetric(m, ["evaluation", "metrics", i]));
  spec.evaluation.gates.forEach((g, i) => checkMetric(g.metric, ["evaluation", "gates", i, "metric"]));
}
