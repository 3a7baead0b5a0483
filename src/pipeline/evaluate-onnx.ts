/**
 * Evaluation on the ONNX artifact — what is evaluated is what is served:
 * the same rows go through onnxruntime-node and the metrics come from its
 * float32 outputs.
 */
import { DataError } from "../common/errors.js";
import type { Frame } from "../data/frame.js";
import { evaluatePredictions, type ModelEvaluation } from "../evaluation/model-evaluation.js";
import type { Task } from "../learners/model.js";
import { buildOnnxColumns, type OnnxSession, predictOnnx, type RawInputSchema } from "../onnx/index.js";

/** Predicts `rows` of `frame` with an ONNX session and evaluates against `yTrue` (class codes or values). */
export async function evaluateOnnxModel(input: {
  session: OnnxSession;
  schema: RawInputSchema;
  task: Task;
  /** Class labels in the model's probability-column order (the codes of `yTrue` index them). */
  classes: readonly string[];
  frame: Frame;
  rows: Int32Array;
  yTrue: Float64Array;
  source: string;
}): Promise<ModelEvaluation> {
  const columns = buildOnnxColumns(input.schema, input.frame, input.rows);
  const prediction = await predictOnnx(input.session, columns, input.task, input.source);
  if (prediction.task === "regression") {
    return evaluatePredictions({
      task: "regression",
      yTrue: input.yTrue,
      scores: prediction.values,
      nClasses: 1,
    });
  }
  if (prediction.nClasses !== input.classes.length) {
    throw new DataError(
      `${input.source} predicts ${prediction.nClasses} classes but the data has ${input.classes.length} (${input.classes.join(", ")})`,
    );
  }
  // Labels come back as the model's class values; map them to the codes the metrics read.
  const codeOf = new Map(input.classes.map((c, i) => [c, i]));
  const labels = Int32Array.from(prediction.labels, (label) => {
    const code = codeOf.get(String(label));
    if (code === undefined)
      throw new DataError(`${input.source} predicted the unknown class ${JSON.stringify(label)}`);
    return code;
  });
  return evaluatePredictions({
    task: "classification",
    yTrue: input.yTrue,
    scores: prediction.probabilities,
    nClasses: prediction.nClasses,
    labels,
  });
}
