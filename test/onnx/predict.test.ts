import { describe, expect, it } from "vitest";
import { OnnxError } from "../../src/common/errors.js";
import { verifyOnnxModel } from "../../src/onnx/check-inputs.js";
import { exportOnnx } from "../../src/onnx/export.js";
import { findOnnxOutputRoles, predictOnnx } from "../../src/onnx/predict.js";
import { createOnnxSession, type OnnxValueDescription } from "../../src/onnx/session.js";
import { oneNumeric, stump } from "./fixtures.js";

const out = (
  name: string,
  elementType: OnnxValueDescription["elementType"],
  shape: (number | string)[] | null,
) => ({
  name,
  elementType,
  shape,
});

describe("findOnnxOutputRoles", () => {
  it.each([
    [
      "our classifier",
      [out("label", "string", [""]), out("probabilities", "float", ["", 3])],
      "classification",
      { label: "label", probabilities: "probabilities" },
    ],
    [
      "skl2onnx zipmap=False",
      [out("output_label", "int64", [""]), out("output_probability", "float", ["", 2])],
      "classification",
      { label: "output_label", probabilities: "output_probability" },
    ],
    ["our regressor", [out("prediction", "float", ["", 1])], "regression", { prediction: "prediction" }],
    ["skl2onnx regressor", [out("variable", "float", ["", 1])], "regression", { prediction: "variable" }],
  ] as const)("finds the outputs of %s", (_name, outputs, task, roles) => {
    expect(findOnnxOutputRoles(outputs, task, "m.onnx")).toEqual(roles);
  });

  it.each([
    [
      "a ZipMap output",
      [out("output_label", "int64", [""]), out("output_probability", "other", null)],
      "classification",
      /needs a float \[N, K\] probabilities output.*zipmap=False/,
    ],
    [
      "no label",
      [out("probabilities", "float", ["", 2])],
      "classification",
      /needs an int64 or string label output; it has probabilities: float/,
    ],
    [
      "no float output",
      [out("label", "int64", [""])],
      "regression",
      /needs a float output for the prediction/,
    ],
  ] as const)("rejects a model with %s, naming the file", (_name, outputs, task, message) => {
    const act = () => findOnnxOutputRoles(outputs, task, "m.onnx");
    expect(act).toThrow(OnnxError);
    expect(act).toThrow(/^m\.onnx: /);
    expect(act).toThrow(message);
  });
});

describe("predictOnnx", () => {
  const forest = {
    kind: "tree_ensemble",
    task: "classification",
    trees: [stump(0, [0.2, 0.8], [0.9, 0.1])],
    aggregation: "average",
    baseScore: new Float64Array(2),
    postTransform: "none",
    nFeatures: 1,
    nClasses: 2,
  } as const;
  const bytes = exportOnnx({
    features: oneNumeric,
    model: forest,
    task: "classification",
    classes: ["no", "yes"],
  });

  it("returns labels and row-major probabilities for a classifier", async () => {
    const session = await createOnnxSession(bytes);
    const result = await predictOnnx(session, { x: Float32Array.of(-1, 1) }, "classification");
    await session.release();
    expect(result.task).toBe("classification");
    if (result.task !== "classification") return;
    expect(result.labels).toEqual(["yes", "no"]);
    expect(result.nClasses).toBe(2);
    // Binary probability mode writes [1 − p, p] in float32.
    [0.2, 0.8, 0.9, 0.1].forEach((p, k) => expect(result.probabilities[k]).toBeCloseTo(p, 6));
  });

  it("verifyOnnxModel accepts a model whose inputs and outputs fit, and names a mismatched input", async () => {
    await expect(
      verifyOnnxModel(
        bytes,
        { features: [{ name: "x", kind: "numeric" }], task: "classification" },
        "m.onnx",
      ),
    ).resolves.toBeUndefined();
    await expect(
      verifyOnnxModel(
        bytes,
        { features: [{ name: "x", kind: "categorical" }], task: "classification" },
        "m.onnx",
      ),
    ).rejects.toThrow(
      /input "x" is tensor\(float\) but the pipeline feeds the categorical feature as tensor\(string\)/,
    );
  });
});
