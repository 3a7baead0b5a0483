/**
 * Step 4 of training with a built-in learner: the fitted pipeline becomes
 * one ONNX graph (features + learner), checked for parity with the
 * TypeScript model, evaluated on onnxruntime-node, with its model card.
 */
import { listDateTimeInputs, type DerivedFrom } from "../features/datetime.js";
import type { ModelEvaluation } from "../evaluation/model-evaluation.js";
import { checkOnnxParity, createOnnxSession, exportOnnx, type ParityReport } from "../onnx/index.js";
import type { PushInput } from "../registry/model-registry.js";
import { TOOL_VERSION } from "../common/version.js";
import type { PipelineSpec } from "../config/pipeline.js";
import type { LearnerParams } from "../learners/learner-table.js";
import { evaluateOnnxModel } from "./evaluate-onnx.js";
import type { WorkingTreeState } from "./git-commit.js";
import type { PipelineModel } from "./fit-model.js";
import { buildModelCard, toGraphClasses } from "./model-card.js";
import type { PreparedData } from "./prepare-data.js";
import type { TuningSummary } from "./tune.js";

/** `derived_from` of an input that is a part of one of the pipeline's datetime columns. */
function derivedFromOf(spec: PipelineSpec, name: string): { derived_from?: DerivedFrom } {
  const input = listDateTimeInputs(spec.data_processing.feature_engineering.datetime_features).find(
    (i) => i.name === name,
  );
  return input === undefined ? {} : { derived_from: input.derived };
}

/** The ONNX bytes, the card to push, and what the artifact checks found. */
export interface ModelArtifact {
  readonly onnx: Uint8Array;
  readonly card: PushInput["card"];
  /** ONNX vs TypeScript on the holdout; `null` for a model a user's command trained. */
  readonly parity: ParityReport | null;
  /** Metrics of the ONNX model on the holdout (what the card records). */
  readonly evaluation: ModelEvaluation;
}

/** What {@link buildModelArtifact} packages. */
export interface FittedPipeline {
  readonly spec: PipelineSpec;
  readonly data: PreparedData;
  readonly fitted: PipelineModel;
  readonly params: LearnerParams;
  readonly tuning: TuningSummary | null;
}

/** Exports, checks parity (throws OnnxError naming the first differing row) and evaluates the artifact. */
export async function buildModelArtifact(
  result: FittedPipeline,
  context: {
    gitCommit: string;
    workingTree?: WorkingTreeState | undefined;
    now: Date;
    trainingTimeMs: number;
  },
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
    const card = buildModelCard({
      spec,
      data,
      features: fitted.features.features.map((f) =>
        f.kind === "numeric"
          ? { name: f.name, type: "numeric" as const, ...derivedFromOf(spec, f.name) }
          : {
              name: f.name,
              type: "categorical" as const,
              categories: [...f.categories, ...f.rareCategories],
            },
      ),
      metrics: evaluation.metrics,
      params: result.params,
      tuning: result.tuning,
      ...context,
    });
    return { onnx, card, parity, evaluation };
  } finally {
    await session.release();
  }
}
