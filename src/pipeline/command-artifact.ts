/**
 * `model_type: command`: the user's own training script (any language)
 * trains on a CSV of the training rows and writes `model.onnx`. From there
 * the flow is the built-in one: the graph's inputs are checked against the
 * pipeline's features, it is evaluated on onnxruntime-node on the holdout,
 * and it gets the same model card.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "../common/logger.js";
import { parseDurationMs } from "../config/duration.js";
import type { PipelineSpec } from "../config/pipeline.js";
import { findColumn } from "../data/frame.js";
import { writeFrameCsv } from "../data/write-csv.js";
import { runExternalCommand } from "../learners/external-command.js";
import { createOnnxSession, verifyOnnxModel } from "../onnx/index.js";
import type { CardFeature } from "../registry/model-card-schema.js";
import { evaluateOnnxModel } from "./evaluate-onnx.js";
import type { ModelArtifact } from "./model-artifact.js";
import type { WorkingTreeState } from "./git-commit.js";
import { buildModelCard } from "./model-card.js";
import type { PreparedData } from "./prepare-data.js";

const DEFAULT_TIMEOUT_MS = 3_600_000;

/** The raw input columns a command-trained model must take, with the training categories. */
export function listCommandFeatures(spec: PipelineSpec, data: PreparedData): CardFeature[] {
  const engineering = spec.data_processing.feature_engineering;
  const numeric = engineering.numeric_features.map((name) => ({ name, type: "numeric" as const }));
  const categorical = engineering.categorical_features.map((name) => {
    const column = findColumn(data.train.frame, name);
    const categories = column?.kind === "categorical" ? [...column.dictionary] : [];
    return { name, type: "categorical" as const, categories };
  });
  return [...numeric, ...categorical];
}

/** Runs the user's command, checks and evaluates its model, and builds its card. */
export async function buildCommandArtifact(
  input: { spec: PipelineSpec; data: PreparedData; root: string; seed: number; logger?: Logger },
  context: { gitCommit: string; workingTree?: WorkingTreeState | undefined; now: Date; startedAt: number },
): Promise<ModelArtifact> {
  const { spec, data } = input;
  const command = spec.model_training.command!;
  const features = listCommandFeatures(spec, data);
  const work = await mkdtemp(join(tmpdir(), "meta-controller-command-"));
  try {
    const trainCsv = join(work, "train.csv");
    const holdoutCsv = join(work, "holdout.csv");
    await writeFrameCsv(trainCsv, data.train.frame, data.train.rows);
    await writeFrameCsv(holdoutCsv, data.test.frame, data.test.rows);
    const expected = features.map((f) => ({ name: f.name, kind: f.type }));
    input.logger?.info(`running the training command: ${command.run}`);
    const result = await runExternalCommand({
      command: command.run,
      cwd: input.root,
      trainCsv,
      holdoutCsv,
      outputDir: join(work, "output"),
      targetColumn: spec.model_training.target_column,
      task: data.task,
      features: expected,
      seed: input.seed,
      classes: data.classes,
      verifyModel: (bytes, path) => verifyOnnxModel(bytes, { features: expected, task: data.task }, path),
      ...(command.env === undefined ? {} : { passEnv: command.env }),
      timeoutMs: command.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDurationMs(command.timeout)!,
    });
    if (result.metrics)
      input.logger?.info({ reported_metrics: result.metrics }, "the training command reported metrics");
    const session = await createOnnxSession(result.onnx, {
      source: `${spec.name} (from the training command)`,
    });
    try {
      const evaluation = await evaluateOnnxModel({
        session,
        schema: { features: expected },
        task: data.task,
        classes: data.classes,
        frame: data.test.frame,
        rows: data.test.rows,
        yTrue: data.test.y,
        source: `${spec.name} (from the training command)`,
      });
      const card = buildModelCard({
        spec,
        data,
        features,
        metrics: evaluation.metrics,
        params: { command: command.run },
        tuning: null,
        gitCommit: context.gitCommit,
        workingTree: context.workingTree,
        now: context.now,
        trainingTimeMs: Math.round(performance.now() - context.startedAt),
      });
      return { onnx: result.onnx, card, parity: null, evaluation };
    } finally {
      await session.release();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
