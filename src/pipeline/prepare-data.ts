/**
 * Step 1 of training: load the data, encode the target, and decide which
 * rows train and which evaluate — a seeded (stratified) split, or a separate
 * holdout file when the pipeline names one.
 */
import { DataError } from "../common/errors.js";
import type { PipelineSpec } from "../config/pipeline.js";
import { findColumn, type Frame } from "../data/frame.js";
import { loadTable } from "../data/load-table.js";
import { trainTestSplit } from "../data/split.js";
import { describeColumnKinds } from "../data/column-kind.js";
import { choosePositiveClass, encodeTarget, encodeTargetLike, type TaskRule } from "../data/target.js";
import type { Task } from "../learners/model.js";
import { computeFileSha256 } from "../registry/file-digest.js";
import { expandDateTimeColumns } from "../features/datetime.js";
import { checkNumericFeatures } from "./check-numeric-features.js";
import { buildLoadRequest, listPipelineColumns } from "./spec-mapping.js";

/** Rows of one frame with their encoded targets. */
export interface LabelledRows {
  readonly frame: Frame;
  /** Frame row indices. */
  readonly rows: Int32Array;
  /** Class codes or values, one per row in `rows`. */
  readonly y: Float64Array;
}

/** The data of one training run. */
export interface PreparedData {
  readonly task: Task;
  readonly taskRule: TaskRule;
  /** Class labels in code order (sorted); empty for regression. */
  readonly classes: readonly string[];
  readonly train: LabelledRows;
  readonly test: LabelledRows;
  /** Rows dropped because their target was missing. */
  readonly droppedRows: number;
  /** Hex SHA-256 of every data file read, for the model card; `data` is split, `train`/`holdout` are separate files. */
  readonly dataFiles: readonly { path: string; sha256: string; role: "data" | "train" | "holdout" }[];
}

function targetColumn(frame: Frame, name: string, source: string) {
  const column = findColumn(frame, name);
  if (!column) throw new DataError(`${source}: target column ${JSON.stringify(name)} is missing`);
  return column;
}

/** Loads and splits the data of a pipeline. Throws DataError naming file, row and column. */
export async function prepareData(
  spec: PipelineSpec,
  root: string,
  allowOutsideRoot = false,
): Promise<PreparedData> {
  const columns = listPipelineColumns(spec);
  const { target_column: targetName, task: givenTask, test_size: testSize, seed } = spec.model_training;
  const engineering = spec.data_processing.feature_engineering;
  // Datetime columns load as text and become their numeric parts right after.
  const datetimes = engineering.datetime_features;
  const categorical = [...engineering.categorical_features, ...datetimes];
  const main = buildLoadRequest(
    root,
    spec.data_processing.data_source,
    columns,
    allowOutsideRoot,
    categorical,
  );
  const frame = expandDateTimeColumns(
    await loadTable(main.source, main.options),
    datetimes,
    main.source.path,
  );
  await checkNumericFeatures(frame, spec.data_processing.feature_engineering.numeric_features, main);
  const target = choosePositiveClass(
    encodeTarget(targetColumn(frame, targetName, main.source.path), givenTask, { source: main.source.path }),
    spec.model_training.positive_class,
    { source: main.source.path, column: targetName },
  );
  const dataFiles: { path: string; sha256: string; role: "data" | "train" | "holdout" }[] = [
    {
      path: spec.data_processing.data_source.path,
      sha256: await computeFileSha256(main.source.path),
      role: "data",
    },
  ];

  const holdoutSpec = spec.evaluation.data_source;
  if (holdoutSpec) {
    const holdout = buildLoadRequest(root, holdoutSpec, columns, allowOutsideRoot, categorical);
    // The holdout's columns keep the kinds they had in training, whatever its own values look like.
    const holdoutFrame = expandDateTimeColumns(
      await loadTable(holdout.source, {
        ...holdout.options,
        types: {
          ...describeColumnKinds(frame),
          ...Object.fromEntries(datetimes.map((d) => [d, "categorical" as const])),
        },
      }),
      datetimes,
      holdout.source.path,
    );
    const holdoutTarget = encodeTargetLike(
      targetColumn(holdoutFrame, targetName, holdout.source.path),
      target,
      {
        source: holdout.source.path,
      },
    );
    dataFiles[0]!.role = "train";
    dataFiles.push({
      path: holdoutSpec.path,
      sha256: await computeFileSha256(holdout.source.path),
      role: "holdout",
    });
    const yTest = holdoutTarget.y;
    return {
      task: target.task,
      taskRule: target.rule,
      classes: target.classes,
      train: { frame, rows: target.rows, y: target.y },
      test: { frame: holdoutFrame, rows: holdoutTarget.rows, y: yTest },
      droppedRows: target.droppedRows + holdoutTarget.droppedRows,
      dataFiles,
    };
  }

  const stratify = spec.model_training.stratify ?? target.task === "classification";
  const split = trainTestSplit(target.rows.length, {
    testSize,
    seed,
    classNames: target.classes,
    ...(stratify && target.task === "classification" ? { stratify: target.y } : {}),
  });
  const pick = (positions: Int32Array): LabelledRows => ({
    frame,
    rows: positions.map((p) => target.rows[p]!),
    y: Float64Array.from(positions, (p) => target.y[p]!),
  });
  return {
    task: target.task,
    taskRule: target.rule,
    classes: target.classes,
    train: pick(split.train),
    test: pick(split.test),
    droppedRows: target.droppedRows,
    dataFiles,
  };
}
