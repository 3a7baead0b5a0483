/**
 * Exports a fitted pipeline — feature transform and learner — as one ONNX
 * model that takes raw columns and returns what the TypeScript model returns.
 *
 * Graph contract (what the server and `evaluate` rely on):
 * - one input per raw column, in feature order: numeric `tensor(float)
 *   [N, 1]` (NaN = missing), categorical `tensor(string) [N, 1]` (`""` =
 *   missing);
 * - classifiers: `label` `[N]` (int64 for integer classes, string for string
 *   classes) and `probabilities` float `[N, K]` in class order;
 * - regressors: `prediction` float `[N, 1]`;
 * - opsets ai.onnx 17 and ai.onnx.ml 3 (ml 5 would reject TreeEnsembleClassifier).
 */
import { OnnxError } from "../common/errors.js";
import type { FittedFeatures } from "../features/types.js";
import type { FittedModel, Task } from "../learners/model.js";
import { buildClassLabels } from "./class-labels.js";
import { buildFeatureGraph } from "./export-features.js";
import { buildLinearNode } from "./export-linear.js";
import { buildTreeEnsembleNode, type TreeOutputs } from "./export-trees.js";
import { encodeOnnxModel, type OnnxValueInfo } from "./onnx-model.js";

/** Names of the graph outputs. */
export const ONNX_OUTPUTS = {
  label: "label",
  probabilities: "probabilities",
  prediction: "prediction",
} as const satisfies TreeOutputs;

/** ONNX IR version written (ONNX 1.10+, read by every onnxruntime since 1.10). */
export const ONNX_IR_VERSION = 8;
/** Default-domain opset. */
export const ONNX_OPSET = 17;
/** ai.onnx.ml opset: 3 keeps TreeEnsembleClassifier/Regressor valid. */
export const ONNX_ML_OPSET = 3;

/** What {@link exportOnnx} needs. */
export interface ExportOnnxInput {
  readonly features: FittedFeatures;
  readonly model: FittedModel;
  /** Class labels by class index (sorted class order); default 0 … K-1. Classifiers only. */
  readonly classes?: readonly (string | number)[];
  readonly task: Task;
  /** Extra `metadata_props` (e.g. model name, git commit). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Written as `producer_version`. */
  readonly producerVersion?: string;
}

/** Builds the ONNX bytes of a fitted pipeline. Deterministic: same input, same bytes. */
export function exportOnnx(input: ExportOnnxInput): Uint8Array {
  const { features, model, task } = input;
  if (model.task !== task)
    throw new OnnxError(`cannot export: task is ${task} but the model is a ${model.task} model`);
  const featureGraph = buildFeatureGraph(features);
  if (featureGraph.width !== model.nFeatures) {
    throw new OnnxError(
      `cannot export: the features produce ${featureGraph.width} columns but the model expects ${model.nFeatures}`,
    );
  }
  if (task === "regression" && input.classes !== undefined && input.classes.length > 0) {
    throw new OnnxError("cannot export: class labels were given for a regression model");
  }
  const labels = task === "classification" ? buildClassLabels(model.nClasses, input.classes) : undefined;
  const learnerNode =
    model.kind === "tree_ensemble"
      ? buildTreeEnsembleNode(model, featureGraph.output, labels, ONNX_OUTPUTS)
      : buildLinearNode(model, featureGraph.output, labels, ONNX_OUTPUTS);
  const outputs: OnnxValueInfo[] =
    labels === undefined
      ? [{ name: ONNX_OUTPUTS.prediction, elementType: "float", shape: [null, 1] }]
      : [
          { name: ONNX_OUTPUTS.label, elementType: labels.kind, shape: [null] },
          { name: ONNX_OUTPUTS.probabilities, elementType: "float", shape: [null, model.nClasses] },
        ];
  const metadata: Record<string, string> = {
    ...input.metadata,
    "meta_controller.task": task,
    "meta_controller.inputs": JSON.stringify(features.features.map((f) => ({ name: f.name, kind: f.kind }))),
  };
  if (labels !== undefined) metadata["meta_controller.classes"] = JSON.stringify(labels.values);
  return encodeOnnxModel({
    irVersion: ONNX_IR_VERSION,
    opsetImports: [
      { domain: "", version: ONNX_OPSET },
      { domain: "ai.onnx.ml", version: ONNX_ML_OPSET },
    ],
    producerName: "meta-controller",
    producerVersion: input.producerVersion ?? "0.1.0",
    modelVersion: 1,
    docString: "",
    graph: {
      name: "meta_controller_pipeline",
      nodes: [...featureGraph.nodes, learnerNode],
      inputs: featureGraph.inputs,
      outputs,
      initializers: [],
    },
    metadata,
  });
}
