/**
 * `validate --data`: opens each data file a pipeline names and checks the
 * pipeline against its header and a sample of rows, before any training:
 * the target and every feature column exist, a numeric feature holds
 * numbers, the file has rows. Each problem is reported at the YAML line of
 * the field that names the column, as every other `validate` problem is.
 */
import type { ConfigIssue } from "../common/errors.js";
import { MetaControllerError } from "../common/errors.js";
import { suggestClosest } from "../config/did-you-mean.js";
import { describeHighCardinality, findHighCardinalityFeatures } from "../features/cardinality.js";
import type { ParsedConfig } from "../config/load-yaml.js";
import type { PipelineSpec } from "../config/pipeline.js";
import type { Frame } from "../data/frame.js";
import { listNames, type LoadOptions } from "../data/load-options.js";
import { loadTable } from "../data/load-table.js";
import { resolveDataPath } from "./spec-mapping.js";
import { listNamedMetrics } from "../config/pipeline.js";
import { METRICS_BY_TASK } from "../config/task-metrics.js";
import type { Column } from "../data/frame.js";
import { encodeTarget } from "../data/target.js";
import { expandDateTimeColumns } from "../features/datetime.js";
import { checkMetricsFitTask } from "./check-metric-task.js";

/** Rows read from each data file: enough to catch a typo early in the file, cheap on any file. */
export const VALIDATE_SAMPLE_ROWS = 1000;

type FieldPath = (string | number)[];

function issueAt(
  config: ParsedConfig<PipelineSpec>,
  path: FieldPath,
  message: string,
  severity: ConfigIssue["severity"] = "error",
): ConfigIssue {
  const { line, column } = config.positionOf(path);
  return { file: config.file, line, column, field: path.join("."), message, severity };
}

function describeMissing(name: string, file: string, header: readonly string[]): string {
  const suggestion = suggestClosest(name, header);
  return `column ${JSON.stringify(name)} is not in ${file}${suggestion === undefined ? "" : ` (did you mean ${JSON.stringify(suggestion)}?)`}; its columns are ${listNames(header)}`;
}

/** The sample of one data file, or the issue that stopped it from being read. */
async function readSample(
  config: ParsedConfig<PipelineSpec>,
  root: string,
  sourcePath: FieldPath,
  source: PipelineSpec["data_processing"]["data_source"],
  options: LoadOptions,
): Promise<Frame | ConfigIssue> {
  try {
    return await loadTable(
      { type: source.type, path: resolveDataPath(root, source.path, true) },
      { ...options, maxRows: VALIDATE_SAMPLE_ROWS },
    );
  } catch (error) {
    if (!(error instanceof MetaControllerError)) throw error;
    return issueAt(config, [...sourcePath, "path"], error.message);
  }
}

/**
 * The issue of a numeric feature that came out as text in the sample: read
 * again as numeric, the loader names the first line and value that is not a
 * number.
 */
async function describeTextInNumeric(
  config: ParsedConfig<PipelineSpec>,
  root: string,
  source: PipelineSpec["data_processing"]["data_source"],
  name: string,
  at: FieldPath,
  missingTokens: readonly string[] | undefined,
): Promise<ConfigIssue> {
  try {
    await loadTable(
      { type: source.type, path: resolveDataPath(root, source.path, true) },
      {
        columns: [name],
        types: { [name]: "numeric" },
        maxRows: VALIDATE_SAMPLE_ROWS,
        ...(missingTokens ? { missingTokens } : {}),
      },
    );
  } catch (error) {
    if (error instanceof MetaControllerError)
      return issueAt(config, at, `numeric feature ${JSON.stringify(name)} holds text: ${error.message}`);
    throw error;
  }
  return issueAt(config, at, `numeric feature ${JSON.stringify(name)} holds text in ${source.path}`);
}

/**
 * With the task inferred from the target, the metrics the pipeline names
 * are checked on the sample, as `train` checks them on the whole column:
 * reported at the first metric that does not fit.
 */
function checkMetricsOnSample(
  config: ParsedConfig<PipelineSpec>,
  column: Column,
  nRows: number,
): ConfigIssue[] {
  const spec = config.value;
  if (spec.model_training.task !== undefined) return []; // the schema checked the metrics against it
  let inferred: ReturnType<typeof encodeTarget>;
  try {
    inferred = encodeTarget(column);
  } catch {
    return []; // a target train cannot use (constant, fractional labels) is reported by train
  }
  const wrong = listNamedMetrics(spec).find(({ metric }) => !METRICS_BY_TASK[inferred.task].includes(metric));
  if (wrong === undefined) return [];
  try {
    checkMetricsFitTask(spec, inferred.task, inferred.rule);
    return [];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return [issueAt(config, wrong.path, `${message} (task inferred from the first ${nRows} rows)`)];
  }
}

/** A datetime feature's sample values that are not ISO 8601 dates, at the feature's line. */
function checkDates(
  config: ParsedConfig<PipelineSpec>,
  sample: Frame,
  name: string,
  at: FieldPath,
  path: string,
): ConfigIssue[] {
  try {
    expandDateTimeColumns(sample, [name], path);
    return [];
  } catch (error) {
    return [issueAt(config, at, error instanceof Error ? error.message : String(error))];
  }
}

/** Checks one data source of the pipeline against its columns. */
async function checkSource(
  config: ParsedConfig<PipelineSpec>,
  root: string,
  sourcePath: FieldPath,
  source: PipelineSpec["data_processing"]["data_source"],
): Promise<ConfigIssue[]> {
  const spec = config.value;
  const features = spec.data_processing.feature_engineering;
  const sample = await readSample(config, root, sourcePath, source, {
    ...(source.missing_values ? { missingTokens: source.missing_values } : {}),
  });
  if (!("columns" in sample)) return [sample];
  const header = sample.columns.map((c) => c.name);
  const byName = new Map(sample.columns.map((c) => [c.name, c] as const));
  const issues: ConfigIssue[] = [];
  const target = spec.model_training.target_column;
  if (!byName.has(target))
    issues.push(
      issueAt(
        config,
        ["model_training", "target_column"],
        `target ${describeMissing(target, source.path, header)}`,
      ),
    );
  const targetColumn = byName.get(target);
  if (targetColumn !== undefined) issues.push(...checkMetricsOnSample(config, targetColumn, sample.nRows));
  for (const name of Object.keys(source.column_types ?? {}))
    if (!byName.has(name))
      issues.push(
        issueAt(config, [...sourcePath, "column_types", name], describeMissing(name, source.path, header)),
      );
  const featureLists = [
    ["numeric_features", features.numeric_features],
    ["categorical_features", features.categorical_features],
    ["datetime_features", features.datetime_features],
  ] as const;
  for (const [list, names] of featureLists) {
    for (const [i, name] of names.entries()) {
      const at = ["data_processing", "feature_engineering", list, i];
      const column = byName.get(name);
      if (column === undefined) issues.push(issueAt(config, at, describeMissing(name, source.path, header)));
      else if (
        list === "numeric_features" &&
        column.kind === "categorical" &&
        source.column_types?.[name] === undefined
      )
        issues.push(await describeTextInNumeric(config, root, source, name, at, source.missing_values));
      else if (list === "datetime_features")
        issues.push(...checkDates(config, sample, name, at, source.path));
    }
  }
  for (const feature of findHighCardinalityFeatures(sample, features.categorical_features)) {
    const at = ["data_processing", "feature_engineering", "categorical_features"];
    const index = features.categorical_features.indexOf(feature.name);
    issues.push(
      issueAt(
        config,
        [...at, index],
        describeHighCardinality(feature, `in the first ${sample.nRows} rows of ${source.path}`),
        "warning",
      ),
    );
  }
  return issues;
}

/**
 * Checks the pipeline's data files (the training data and a separate
 * holdout) against the pipeline. A file that does not exist is left to the
 * existence check that `validate` always makes.
 */
export async function checkPipelineData(
  root: string,
  config: ParsedConfig<PipelineSpec>,
): Promise<ConfigIssue[]> {
  const spec = config.value;
  const sources: [FieldPath, PipelineSpec["data_processing"]["data_source"]][] = [
    [["data_processing", "data_source"], spec.data_processing.data_source],
  ];
  if (spec.evaluation.data_source) sources.push([["evaluation", "data_source"], spec.evaluation.data_source]);
  const issues: ConfigIssue[] = [];
  for (const [path, source] of sources) {
    try {
      issues.push(...(await checkSource(config, root, path, source)));
    } catch (error) {
      // A file outside the root or unreadable: said where the path is, not thrown past the other files.
      issues.push(issueAt(config, [...path, "path"], error instanceof Error ? error.message : String(error)));
    }
  }
  return issues;
}
