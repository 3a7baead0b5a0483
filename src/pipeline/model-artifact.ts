/**
 * Step 4 of training: the fitted pipeline becomes an artifact — one ONNX
 * graph (features + learner), checked for parity with the TypeScript model,
 * evaluated on onnxruntime-node, and a model card with the training data's
 * reference profile.
 */
import { takeRows } from "../data/frame.js";
import type { ModelEvaluation } from "../evaluation/model-evaluation.js";
import { buildReferenceProfile } from "../monitoring/profile.js";
import { exportOnnx } from "../onnx/export.js";
import { checkOnnxParity, type ParityReport } from "../onnx/parity.js";
import { createOnnxSession } from "../onnx/session.js";
import type { PushInput } from "../registry/model-registry.js";
import { TOOL_VERSION } from "../common/version.js";
import { evaluateOnnxModel } from "./evaluate-onnx.js";
import type { TrainResult } from "./train.js";

/** The ONNX bytes, the card to push, and what the artifact checks found. */
export interface ModelArtifact {
  readonly onnx: Uint8Array;
  readonly card: PushInput["card"];
  readonly parity: ParityReport;
  /** Metrics of the ONNX model on the holdout (what the card records). */
  readonly evaluation: ModelEvaluation;
}

/** Class labels as the graph emits them: integers for integer classes, else strings. */
export function toGraphClasses(classes: readonly string[]): (string | number)[] {
  return classes.every((c) => /^[+-]?\d+$/.test(c)) ? classes.map(Number) : [...classes];
}

/** Exports, checks parity (throws OnnxError naming the first differing row) and evaluates the artifact. */
export async function buildModelArtifact(
  result: Pick<TrainResult, "spec" | "data" | "fitted" | "params" | "tuning">,
  context: { gitCommit: string; now: Date; trainingTimeMs: number },
): Promise<ModelArtifact> {
  const { data, fitted, spec } = result;
  const classes = data.task === "classification" ? toGraphClasses(data.classes) : undefined;
  const onnx = exportOnnx({
    features: fitted.features,
    model: fitted.model,
    task: data.task,
    ...(classes ? { classes } : {}),
    metadata: { name: spec.name, git_commit: context.gitCommit },
    producerVersion: TOOL_VERSION,
  });
  const session = await createOnnxSession(onnx, { source: `${spec.name} (exported)` });
  try {
    const parity = await checkOnnxParity({
      onnx: session,
      features: fitted.features,
      model: fitted.model,
      frame: data.test.frame,
      rows: data.test.rows,
      ...(classes ? { classes } : {}),
    });
    const evaluation = await evaluateOnnxModel({
      session,
      schema: fitted.features,
      task: data.task,
      classes: data.classes,
      frame: data.test.frame,
      rows: data.test.rows,
      yTrue: data.test.y,
      source: `${spec.name} (exported)`,
    });
    const featureNames = fitted.features.features.map((f) => f.name);
    const trainingFrame = takeRows(
      {
        nRows: data.train.frame.nRows,
        columns: data.train.frame.columns.filter((c) => featureNames.includes(c.name)),
      },
      data.train.rows,
    );
    const card: PushInput["card"] = {
      schema_version: 1,
      created_at: context.now.toISOString(),
      git_commit: context.gitCommit,
      pipeline: spec,
      data_files: data.dataFiles.map((f) => ({ ...f })),
      task: data.task,
      target: spec.model_training.target_column,
      ...(classes ? { classes } : {}),
      features: fitted.features.features.map((f) =>
        f.kind === "numeric"
          ? { name: f.name, type: "numeric" as const }
          : {
              name: f.name,
              type: "categorical" as const,
              categories: [...f.categories, ...f.rareCategories],
            },
      ),
      metrics: evaluation.metrics,
      params: result.params,
      tuning: result.tuning
        ? {
            strategy: result.tuning.strategy,
            metric: result.tuning.metric,
            trials: result.tuning.trials.length,
            best_params: result.tuning.best_params,
            best_score: result.tuning.best_score,
          }
        : null,
      training_time_ms: context.trainingTimeMs,
      tool_version: TOOL_VERSION,
      reference_profile: buildReferenceProfile(trainingFrame),
    };
    return { onnx, card, parity, evaluation };
  } finally {
    await session.release();
  }
}
