/**
 * `pipelines/<name>.yaml`: how one model is built. The seed's pipeline is
 * valid as written (snake_case keys); optional sections extend it.
 */
import { z } from "zod";
import { suggestClosest } from "./did-you-mean.js";
import { Duration } from "./duration.js";
import {
  BUILTIN_LEARNERS,
  DecisionTreeParams,
  findParamSchema,
  GradientBoostingParams,
  LinearRegressionParams,
  listLearnerParams,
  LogisticRegressionParams,
  RandomForestParams,
  type BuiltinLearner,
} from "./learner-params.js";
import { ModelName } from "./model-ref.js";
import { HALVING_RESOURCES, TUNING_STRATEGIES } from "./tuning-names.js";
import { MetricName, METRICS_BY_TASK, TaskName, type Task } from "./task-metrics.js";

/** Built-in learners, plus `command` for bring-your-own training. */
export const MODEL_TYPES = [...BUILTIN_LEARNERS, "command"] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

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
    datetime_features: z
      .array(z.string().min(1))
      .default([])
      .describe(
        "Date or date-time columns (ISO 8601, UTC unless an offset is given); each becomes four numeric inputs: <column>__year, <column>__month (1-12), <column>__day_of_week (0 = Monday) and <column>__hour (0-23).",
      ),
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
    env: z
      .array(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: "expected an environment variable name" }),
      )
      .max(100)
      .optional()
      .describe(
        "Names of the runner's environment variables the command may read. It gets only PATH, HOME, LANG, TMPDIR, META_CONTROLLER_* and these: no token or password unless named here. A pipeline file is code: whoever may edit it may run commands with what it names.",
      ),
  })
  .describe("Bring-your-own training: a command that writes model.onnx to $META_CONTROLLER_OUTPUT_DIR.");

/** Fields of `model_training` that every learner shares. */
const trainingFields = {
  target_column: z.string().min(1).describe("The column to predict."),
  task: TaskName.optional().describe(
    "Inferred when absent: an integer target with few values, or text, is classification.",
  ),
  test_size: z.number().gt(0).lt(1).default(0.2).describe("Share of rows held out for evaluation."),
  stratify: z.boolean().optional().describe("Stratify the split by class (default true for classification)."),
  seed: z.number().int().min(0).default(42).describe("Seed for every random choice."),
  positive_class: z
    .union([z.string().min(1), z.number().int()])
    .optional()
    .describe(
      "Binary classification: the label precision, recall, F1, ROC AUC and PR AUC score, and whose probability is the second column. Default: the label that sorts last (integers by value, text by code unit), e.g. 1 of 0/1, yes of no/yes.",
    ),
};
const PARAMS_TEXT = "Hyperparameters, by scikit-learn's names.";
// Every option accepts `command` so that a stray one gets the reference check's message, not "unknown key".
const commandField = TrainingCommand.optional();

/** One built-in learner's option of {@link ModelTraining}: its name, the shared fields, its own params. */
function learnerOption<const T extends string, P extends z.ZodType>(modelType: T, params: P) {
  return z.strictObject({
    model_type: z.literal(modelType).describe("The learner."),
    ...trainingFields,
    params: params.describe(PARAMS_TEXT),
    command: commandField,
  });
}

/**
 * The learner and its target: one option per `model_type`, so each learner's
 * `params` are checked against that learner's schema.
 */
export const ModelTraining = z
  .discriminatedUnion("model_type", [
    learnerOption("decision_tree", DecisionTreeParams.default({})),
    learnerOption("random_forest", RandomForestParams.default({})),
    learnerOption("gradient_boosting", GradientBoostingParams.default({})),
    learnerOption("logistic_regression", LogisticRegressionParams.default({})),
    learnerOption("linear_regression", LinearRegressionParams.default({})),
    z.strictObject({
      model_type: z.literal("command").describe("Bring-your-own training."),
      ...trainingFields,
      params: z
        .record(
          z.string(),
          z.union([z.number(), z.string(), z.boolean(), z.null(), z.record(z.string(), z.number())]),
        )
        .default({})
        .describe("Recorded on the model card; the command reads its own settings."),
      command: commandField,
    }),
  ])
  .describe("Learner, target and split.");

const ParamValue = z.union([z.number(), z.string(), z.boolean(), z.null()]);
/** A range or a list of choices to sample one parameter from. */
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
    strategy: z.enum(TUNING_STRATEGIES).default("grid").describe("Search strategy."),
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
        resource: z
          .enum(HALVING_RESOURCES)
          .default("n_estimators")
          .describe(
            "What the budget counts: n_estimators (maximum: the learner's n_estimators or max_iter, default 100) or rows (maximum: the training rows).",
          ),
        factor: z
          .number()
          .gt(1)
          .default(3)
          .describe("Each rung keeps 1/factor of the candidates on factor× the budget."),
        min_resource: z
          .number()
          .gt(0)
          .optional()
          .describe(
            "Budget of the first rung (default: maximum / factor², at least 1); see docs/learners.md.",
          ),
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

type Path = (string | number)[];

/** The parts of a parsed pipeline the cross-field checks read. */
type PipelineValue = {
  data_processing: {
    feature_engineering: {
      numeric_features: string[];
      categorical_features: string[];
      datetime_features: string[];
    };
  };
  model_training: {
    model_type: ModelType;
    target_column: string;
    task?: Task | undefined;
    command?: unknown;
  };
  enable_hyperparameter_tuning: boolean;
  hyperparameter_tuning?:
    | {
        strategy: string;
        param_grid?: Record<string, unknown[]> | undefined;
        distributions?: Record<string, z.infer<typeof Distribution>> | undefined;
        metric?: MetricName | undefined;
      }
    | undefined;
  evaluation: { metrics?: MetricName[] | undefined; gates: { metric: MetricName }[] };
};

/** Cross-field checks: references between sections of one pipeline. */
function checkPipelineReferences(spec: PipelineValue, ctx: z.RefinementCtx): void {
  checkFeatureLists(spec, ctx);
  checkCommandSection(spec, ctx);
  checkTuningSection(spec, ctx);
  const modelType = spec.model_training.model_type;
  if (modelType !== "command") checkTunedParams(modelType, spec.hyperparameter_tuning, ctx);
  checkMetricFamilies(spec, ctx);
}

/** At least one feature; none listed twice; the target is not a feature. */
function checkFeatureLists(spec: PipelineValue, ctx: z.RefinementCtx): void {
  const features = spec.data_processing.feature_engineering;
  const { model_type: modelType, target_column: target } = spec.model_training;
  const featurePath = ["data_processing", "feature_engineering"];
  if (
    features.numeric_features.length +
      features.categorical_features.length +
      features.datetime_features.length ===
      0 &&
    modelType !== "command"
  ) {
    ctx.addIssue({
      code: "custom",
      path: [...featurePath, "numeric_features"],
      message: "no features: list at least one numeric, categorical or datetime feature",
    });
  }
  if (modelType === "command" && features.datetime_features.length > 0) {
    ctx.addIssue({
      code: "custom",
      path: [...featurePath, "datetime_features"],
      message:
        "datetime_features are derived by the built-in learners; a command learner reads the date column itself (list it in categorical_features)",
    });
  }
  const seen = new Map<string, string>();
  for (const kind of ["numeric_features", "categorical_features", "datetime_features"] as const) {
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
}

/** `model_type: command` and the `command` section come together. */
function checkCommandSection(spec: PipelineValue, ctx: z.RefinementCtx): void {
  const modelType = spec.model_training.model_type;
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
}

/** Enabled tuning has a section with something to search, and a learner it can tune. */
function checkTuningSection(spec: PipelineValue, ctx: z.RefinementCtx): void {
  if (!spec.enable_hyperparameter_tuning) return;
  const tuning = spec.hyperparameter_tuning;
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
  if (spec.model_training.model_type === "command") {
    ctx.addIssue({
      code: "custom",
      path: ["enable_hyperparameter_tuning"],
      message: "tuning is not available with model_type: command; tune inside your command",
    });
  }
}

/**
 * Tuned parameters are the learner's, and every value tuning may hand it
 * passes the learner's own schema: each grid value, each categorical
 * choice, and both ends of a numeric range.
 */
function checkTunedParams(
  learner: BuiltinLearner,
  tuning: PipelineValue["hyperparameter_tuning"],
  ctx: z.RefinementCtx,
): void {
  const gridPath = ["hyperparameter_tuning", "param_grid"];
  for (const [name, values] of Object.entries(tuning?.param_grid ?? {})) {
    const schema = checkParamName(learner, name, gridPath, ctx);
    values.forEach((value, i) => schema && checkParamValue(schema, value, [...gridPath, name, i], ctx));
  }
  const rangePath = ["hyperparameter_tuning", "distributions"];
  for (const [name, distribution] of Object.entries(tuning?.distributions ?? {})) {
    const schema = checkParamName(learner, name, rangePath, ctx);
    if (!schema) continue;
    const at = [...rangePath, name];
    if (distribution.type === "categorical") {
      distribution.choices.forEach((value, i) => checkParamValue(schema, value, [...at, "choices", i], ctx));
    } else {
      checkParamValue(schema, distribution.low, [...at, "low"], ctx);
      checkParamValue(schema, distribution.high, [...at, "high"], ctx);
    }
  }
}

/** The schema of a tuned parameter, or an issue at its key when the learner has no such parameter. */
function checkParamName(
  learner: BuiltinLearner,
  name: string,
  path: Path,
  ctx: z.RefinementCtx,
): z.ZodType | undefined {
  const schema = findParamSchema(learner, name);
  if (schema) return schema;
  const known = listLearnerParams(learner);
  const hint = suggestClosest(name, known);
  ctx.addIssue({
    code: "custom",
    path: [...path, name],
    params: { at: "key" },
    message: `${learner} has no parameter ${JSON.stringify(name)}; ${hint ? `did you mean ${JSON.stringify(hint)}?` : `expected one of ${known.join(", ")}`}`,
  });
  return undefined;
}

/** Reports the schema's issues with one value, at that value's place in the file. */
function checkParamValue(schema: z.ZodType, value: unknown, path: Path, ctx: z.RefinementCtx): void {
  const result = schema.safeParse(value);
  for (const issue of result.error?.issues ?? []) ctx.addIssue({ ...issue, path: [...path, ...issue.path] });
}

/** Every metric a pipeline names (tuning, reported metrics, gates), each with its place in the file. */
export function listNamedMetrics(
  spec: Pick<PipelineValue, "hyperparameter_tuning" | "evaluation">,
): { metric: MetricName; path: Path }[] {
  const named: { metric: MetricName; path: Path }[] = [];
  const tuned = spec.hyperparameter_tuning?.metric;
  if (tuned !== undefined) named.push({ metric: tuned, path: ["hyperparameter_tuning", "metric"] });
  spec.evaluation.metrics?.forEach((metric, i) => named.push({ metric, path: ["evaluation", "metrics", i] }));
  spec.evaluation.gates.forEach((g, i) =>
    named.push({ metric: g.metric, path: ["evaluation", "gates", i, "metric"] }),
  );
  return named;
}

/** Metrics named anywhere belong to the pipeline's task, when it is given (an inferred task is checked once the target is read). */
function checkMetricFamilies(spec: PipelineValue, ctx: z.RefinementCtx): void {
  const task = spec.model_training.task;
  if (task === undefined) return;
  for (const { metric, path } of listNamedMetrics(spec)) {
    if (!METRICS_BY_TASK[task].includes(metric))
      ctx.addIssue({ code: "custom", path, message: `metric ${metric} does not apply to a ${task} task` });
  }
}
