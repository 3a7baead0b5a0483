/**
 * Writes a {@link LinearModel} as `LinearClassifier` or `LinearRegressor`
 * (ai.onnx.ml). A binary logistic model keeps its single logit row:
 * onnxruntime then labels `score > 0` as the second class and writes
 * `[1 − σ(s), σ(s)]`, the same columns as the TypeScript model.
 */
import { OnnxError } from "../common/errors.js";
import type { LinearModel } from "../learners/model.js";
import type { ClassLabels } from "./class-labels.js";
import { classLabelAttribute } from "./class-labels.js";
import type { OnnxNode } from "./onnx-model.js";
import { POST_TRANSFORM_NAMES, type TreeOutputs } from "./export-trees.js";

function checkFinite(values: Float64Array, what: string): void {
  const i = values.findIndex((v) => !Number.isFinite(v));
  if (i >= 0) throw new OnnxError(`cannot export linear model: ${what}[${i}] is ${values[i]}`);
}

/** Builds the linear node reading `input` (`[N, nFeatures]` float). */
export function buildLinearNode(
  model: LinearModel,
  input: string,
  labels: ClassLabels | undefined,
  outputs: TreeOutputs,
): OnnxNode {
  const rows = model.intercepts.length;
  if (rows === 0 || model.coefficients.length !== rows * model.nFeatures) {
    throw new OnnxError(
      `cannot export linear model: ${model.coefficients.length} coefficients for ${rows} outputs × ${model.nFeatures} features`,
    );
  }
  checkFinite(model.coefficients, "coefficients");
  checkFinite(model.intercepts, "intercepts");
  const common = [
    { name: "coefficients", type: "floats", value: model.coefficients },
    { name: "intercepts", type: "floats", value: model.intercepts },
  ] as const;
  if (model.task === "regression") {
    if (rows !== 1 || model.postTransform !== "none") {
      throw new OnnxError(
        `cannot export a linear regression with ${rows} outputs and post transform ${model.postTransform}`,
      );
    }
    return {
      opType: "LinearRegressor",
      domain: "ai.onnx.ml",
      name: "linear_regressor",
      inputs: [input],
      outputs: [outputs.prediction],
      attributes: [
        ...common,
        { name: "targets", type: "int", value: 1 },
        { name: "post_transform", type: "string", value: "NONE" },
      ],
    };
  }
  if (labels === undefined) throw new OnnxError("cannot export a classifier without class labels");
  const binaryMargin = model.nClasses === 2 && rows === 1;
  if (binaryMargin ? model.postTransform !== "logistic" : rows !== model.nClasses) {
    throw new OnnxError(
      `cannot export a ${model.nClasses}-class linear model with ${rows} outputs and post transform ${model.postTransform}`,
    );
  }
  return {
    opType: "LinearClassifier",
    domain: "ai.onnx.ml",
    name: "linear_classifier",
    inputs: [input],
    outputs: [outputs.label, outputs.probabilities],
    attributes: [
      ...common,
      { name: "post_transform", type: "string", value: POST_TRANSFORM_NAMES[model.postTransform] },
      { name: "multi_class", type: "int", value: 0 },
      classLabelAttribute(labels, "classlabels_ints"),
    ],
  };
}
