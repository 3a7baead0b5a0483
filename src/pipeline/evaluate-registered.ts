/**
 * The `evaluate` use case: a model from the registry, evaluated on
 * onnxruntime-node — on a CSV the user names, or, by default, on the very
 * holdout it was trained against (rebuilt from the pipeline in its card, after
 * checking the data files still have the hashes the card pinned).
 */
import { expandDateTimeColumns, listRawColumns } from "../features/datetime.js";
import { DataError } from "../common/errors.js";
import { PipelineSpec } from "../config/pipeline.js";
import { findColumn } from "../data/frame.js";
import { loadTable, tableSourceOf } from "../data/load-table.js";
import { encodeTargetLike } from "../data/target.js";
import type { ModelEvaluation } from "../evaluation/model-evaluation.js";
import { createOnnxSession } from "../onnx/index.js";
import type { ModelCard } from "../registry/model-card-schema.js";
import type { ModelRegistry } from "../registry/model-registry.js";
import { parseModelReference } from "../registry/reference.js";
import { evaluateOnnxModel } from "./evaluate-onnx.js";
import { prepareData, type LabelledRows } from "./prepare-data.js";
import { resolveDataPath } from "./spec-mapping.js";

/** What `evaluate` found. */
export interface RegisteredEvaluation {
  readonly ref: string;
  readonly digest: string;
  /** `holdout` when the card's own holdout was rebuilt; else the CSV path. */
  readonly data: string;
  readonly rows: number;
  readonly evaluation: ModelEvaluation;
  readonly cardMetrics: Readonly<Record<string, number>>;
  /** True when every card metric was reproduced exactly (only expected on the card's own holdout). */
  readonly matchesCard: boolean;
}

/** Rows of a file the operator named on the command line (`--data`): theirs to point anywhere. */
async function loadCsvRows(card: ModelCard, root: string, path: string): Promise<LabelledRows> {
  const raw = listRawColumns(card.features);
  const columns = [...raw.columns, card.target];
  const types = {
    ...Object.fromEntries(
      card.features.filter((f) => f.derived_from === undefined).map((f) => [f.name, f.type] as const),
    ),
    ...Object.fromEntries(raw.datetimes.map((name) => [name, "categorical" as const])),
  };
  const frame = expandDateTimeColumns(
    await loadTable(tableSourceOf(resolveDataPath(root, path, true)), { columns, types }),
    raw.datetimes,
    path,
  );
  const column = findColumn(frame, card.target);
  if (!column) throw new DataError(`${path}: target column ${JSON.stringify(card.target)} is missing`);
  // The card's classes are the reference: a label the model never saw is an error naming it.
  const reference = {
    task: card.task,
    rule: "given",
    classes: (card.classes ?? []).map(String),
    y: new Float64Array(0),
    rows: new Int32Array(0),
    droppedRows: 0,
  } as const;
  const target = encodeTargetLike(column, reference, { source: path });
  return { frame, rows: target.rows, y: target.y };
}

async function rebuildHoldout(card: ModelCard, root: string): Promise<LabelledRows> {
  const spec = PipelineSpec.parse(card.pipeline);
  const data = await prepareData(spec, root);
  for (const pinned of card.data_files) {
    const now = data.dataFiles.find((f) => f.path === pinned.path);
    if (now && now.sha256 !== pinned.sha256) {
      throw new DataError(
        `${pinned.path} changed since the model was trained (sha256 ${now.sha256.slice(0, 12)}…, the card pins ${pinned.sha256.slice(0, 12)}…); pass --data to evaluate on a file of your choice`,
      );
    }
  }
  return data.test;
}

/** Pulls `ref` (digests verified) and evaluates it. */
export async function evaluateRegisteredModel(options: {
  root: string;
  registry: ModelRegistry;
  ref: string;
  dataPath?: string;
}): Promise<RegisteredEvaluation> {
  const pulled = await options.registry.pull(parseModelReference(options.ref));
  const { card } = pulled;
  const rows = options.dataPath
    ? await loadCsvRows(card, options.root, options.dataPath)
    : await rebuildHoldout(card, options.root);
  const session = await createOnnxSession(pulled.onnx, { source: options.ref });
  try {
    const evaluation = await evaluateOnnxModel({
      session,
      schema: { features: card.features.map((f) => ({ name: f.name, kind: f.type })) },
      task: card.task,
      classes: (card.classes ?? []).map(String),
      frame: rows.frame,
      rows: rows.rows,
      yTrue: rows.y,
      source: options.ref,
    });
    const matchesCard = Object.entries(card.metrics).every(
      ([name, value]) => evaluation.metrics[name] === value,
    );
    return {
      ref: `${pulled.name}${pulled.tag ? `:${pulled.tag}` : ""}`,
      digest: pulled.digest,
      data: options.dataPath ?? "holdout",
      rows: rows.rows.length,
      evaluation,
      cardMetrics: card.metrics,
      matchesCard,
    };
  } finally {
    await session.release();
  }
}
