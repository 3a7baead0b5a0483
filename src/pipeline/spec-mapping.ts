/**
 * Pure mappings from the pipeline file (`PipelineSpec`) onto what each
 * capability asks for: load options, feature options, the search space, the
 * tuning metric. Kept apart so the use case reads as a sequence of steps.
 */
import { listDateTimeInputs } from "../features/datetime.js";
import { isAbsolute, relative, resolve } from "node:path";
import { DataError } from "../common/errors.js";
import type { PipelineSpec } from "../config/pipeline.js";
import type { LoadOptions } from "../data/load-options.js";
import type { TableSource } from "../data/load-table.js";
import { readBoostingRounds } from "../config/learner-params.js";
import { DEFAULT_TUNING_METRIC, LOWER_IS_BETTER, type MetricName } from "../config/task-metrics.js";
import type {
  CategoricalFeatureOptions,
  FeatureOptions,
  NumericFeatureOptions,
} from "../features/options.js";
import type { Task } from "../learners/model.js";
import type { SamplerSpec } from "../tuning/samplers.js";
import type { SearchSpaceSpec } from "../tuning/space.js";

type DataSourceSpec = PipelineSpec["data_processing"]["data_source"];

/**
 * Resolves a data path against the repository root. A pipeline file is the
 * repository's, and so are the files it may read: a path that leads out of
 * the root (absolute, or through `..`) is refused unless the operator allows
 * it (`--allow-outside-root`), so a pipeline cannot have the CLI, the Action
 * or a model card quote or hash `/etc/passwd` or a runner's key file.
 */
export function resolveDataPath(root: string, path: string, allowOutsideRoot = false): string {
  const resolved = isAbsolute(path) ? path : resolve(root, path);
  const fromRoot = relative(resolve(root), resolved);
  const outside = fromRoot === ".." || /^\.\.[\\/]/.test(fromRoot) || isAbsolute(fromRoot);
  if (outside && !allowOutsideRoot)
    throw new DataError(
      `data path ${JSON.stringify(path.slice(0, 200))} is outside the repository root ${root}; pipelines read files inside the repository (pass --allow-outside-root to allow it)`,
    );
  return resolved;
}

/** The table source and load options of a data source, reading only the columns the pipeline uses. */
export function buildLoadRequest(
  root: string,
  source: DataSourceSpec,
  columns: readonly string[],
  allowOutsideRoot = false,
  categorical: readonly string[] = [],
): { source: TableSource; options: LoadOptions } {
  const options: { -readonly [K in keyof LoadOptions]: LoadOptions[K] } = { columns };
  if (source.missing_values) options.missingTokens = source.missing_values;
  // Categorical features load as text, so their categories follow the one rule the server applies to
  // requests (normalizeCategory): `007` stays `007` rather than becoming the number 7.
  const types = {
    ...Object.fromEntries(categorical.map((name) => [name, "categorical" as const])),
    ...source.column_types,
  };
  if (Object.keys(types).length > 0) options.types = types;
  return {
    source: { type: source.type, path: resolveDataPath(root, source.path, allowOutsideRoot) },
    options,
  };
}

/** Every column a pipeline reads: its features, then its target. */
export function listPipelineColumns(spec: PipelineSpec): string[] {
  const features = spec.data_processing.feature_engineering;
  return [
    ...features.numeric_features,
    ...features.categorical_features,
    ...features.datetime_features,
    spec.model_training.target_column,
  ];
}

/** Removes keys whose value is `undefined` (zod's optional fields), as exact optional types require. */
function dropUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

/** Feature options: defaults per kind, and `per_feature` split by the kind of each column. */
export function buildFeatureOptions(spec: PipelineSpec): FeatureOptions {
  const engineering = spec.data_processing.feature_engineering;
  const numericColumns: Record<string, NumericFeatureOptions> = {};
  const categoricalColumns: Record<string, CategoricalFeatureOptions> = {};
  for (const [name, options] of Object.entries(engineering.per_feature ?? {})) {
    if (engineering.categorical_features.includes(name))
      categoricalColumns[name] = dropUndefined(options as CategoricalFeatureOptions);
    else numericColumns[name] = dropUndefined(options as NumericFeatureOptions);
  }
  const result: { -readonly [K in keyof FeatureOptions]: FeatureOptions[K] } = {
    // A datetime column's parts are numeric features (features/datetime.ts).
    numeric_features: [
      ...engineering.numeric_features,
      ...listDateTimeInputs(engineering.datetime_features).map((input) => input.name),
    ],
    categorical_features: engineering.categorical_features,
    numeric_columns: numericColumns,
    categorical_columns: categoricalColumns,
  };
  if (engineering.numeric) result.numeric = dropUndefined(engineering.numeric);
  if (engineering.categorical) result.categorical = dropUndefined(engineering.categorical);
  return result;
}

/** The metric tuning optimises: the pipeline's, else ROC AUC or R². */
export function chooseTuningMetric(
  spec: PipelineSpec,
  task: Task,
): { metric: MetricName; direction: "maximize" | "minimize" } {
  const metric = spec.hyperparameter_tuning?.metric ?? DEFAULT_TUNING_METRIC[task];
  return { metric, direction: LOWER_IS_BETTER.has(metric) ? "minimize" : "maximize" };
}

/** The search space: the grid's lists and the distributions, in file order. */
export function buildSearchSpaceSpec(
  tuning: NonNullable<PipelineSpec["hyperparameter_tuning"]>,
): SearchSpaceSpec {
  return { ...(tuning.param_grid ?? {}), ...(tuning.distributions ?? {}) } as SearchSpaceSpec;
}

/** Default trial budget for samplers that need one. */
const DEFAULT_TRIALS = 30;

/** The sampler and its trial budget. */
export function buildSamplerSpec(
  tuning: NonNullable<PipelineSpec["hyperparameter_tuning"]>,
  params: Readonly<Record<string, unknown>>,
  nTrainRows: number,
): { sampler: SamplerSpec; nTrials: number } {
  const nTrials = tuning.n_trials ?? DEFAULT_TRIALS;
  switch (tuning.strategy) {
    case "grid":
      return { sampler: { type: "grid" }, nTrials };
    case "random":
      return { sampler: { type: "random" }, nTrials };
    case "tpe":
      return { sampler: { type: "tpe" }, nTrials };
    case "halving": {
      const resource = tuning.halving?.resource ?? "n_estimators";
      const maxResource = resource === "rows" ? nTrainRows : Number(readBoostingRounds(params) ?? 100);
      const factor = tuning.halving?.factor ?? 3;
      const minResource = tuning.halving?.min_resource ?? Math.max(1, Math.floor(maxResource / factor ** 2));
      return {
        sampler: {
          type: "halving",
          resource,
          minResource,
          maxResource,
          factor,
          candidates: tuning.param_grid && !tuning.distributions ? "grid" : "random",
        },
        nTrials,
      };
    }
  }
}
