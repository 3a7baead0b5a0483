import { afterAll, describe, expect, it } from "vitest";
import { OnnxError } from "../../src/common/errors.js";
import type { FittedFeatures } from "../../src/features/types.js";
import type { LinearModel } from "../../src/learners/model.js";
import { checkOnnxInputs, type ExpectedOnnxInput } from "../../src/onnx/check-inputs.js";
import { exportOnnx } from "../../src/onnx/export.js";
import {
  createOnnxSession,
  describeOnnxInputs,
  runOnnxSession,
  type OnnxValueDescription,
} from "../../src/onnx/session.js";

const features: FittedFeatures = {
  features: [
    { kind: "numeric", name: "age", imputeValue: 30, offset: 0, scale: 1 },
    {
      kind: "categorical",
      name: "plan",
      imputeValue: "basic",
      categories: ["basic", "pro"],
      rareCategories: [],
    },
  ],
  outputNames: ["age", "plan=basic", "plan=pro"],
};
const ridge: LinearModel = {
  kind: "linear",
  task: "regression",
  coefficients: Float64Array.of(2, 10, 20),
  intercepts: Float64Array.of(1),
  postTransform: "none",
  nFeatures: 3,
  nClasses: 1,
};
const bytes = exportOnnx({ features, model: ridge, task: "regression" });
const session = await createOnnxSession(bytes, { source: "ridge.onnx" });
afterAll(() => session.release());

describe("runOnnxSession", () => {
  it("returns plain values for raw columns, imputing missing ones", async () => {
    const out = await runOnnxSession(session, {
      age: Float32Array.of(1, Number.NaN, 2),
      plan: ["pro", "basic", ""],
    });
    // By hand: 1 + 2·age + 10·[basic] + 20·[pro]; NaN → 30, "" → basic.
    expect(out.prediction!.dims).toEqual([3, 1]);
    expect(Array.from(out.prediction!.values as Float32Array)).toEqual([23, 71, 15]);
  });

  it.each([
    [{ age: Float32Array.of(1) }, /no column given for model input "plan"/],
    [{ age: Float32Array.of(1, 2), plan: ["pro"] }, /column "plan" has 1 rows, the others 2/],
    [{ age: ["1"], plan: ["pro"] }, /input "age" takes numbers, got strings/],
    [{ age: Float32Array.of(1), plan: Float32Array.of(1) }, /input "plan" takes strings, got numbers/],
    [{ age: new Float32Array(0), plan: [] }, /no rows were given/],
  ])("rejects bad columns with an OnnxError (%#)", async (columns, message) => {
    await expect(runOnnxSession(session, columns)).rejects.toThrow(OnnxError);
    await expect(runOnnxSession(session, columns)).rejects.toThrow(message);
  });
});

describe("createOnnxSession", () => {
  it("names the source when the bytes are not a model", async () => {
    await expect(createOnnxSession(Uint8Array.of(1, 2, 3), { source: "out/model.onnx" })).rejects.toThrow(
      /^out\/model.onnx: onnxruntime could not load it/,
    );
  });

  it("reports inputs and outputs with element types", () => {
    expect(session.inputs.map((i) => [i.name, i.elementType])).toEqual([
      ["age", "float"],
      ["plan", "string"],
    ]);
    expect(session.outputs.map((o) => [o.name, o.elementType])).toEqual([["prediction", "float"]]);
  });
});

describe("describeOnnxInputs", () => {
  it("reads the inputs from bytes as from a session", async () => {
    expect(await describeOnnxInputs(bytes)).toEqual(session.inputs);
  });
});

describe("checkOnnxInputs", () => {
  const expected: ExpectedOnnxInput[] = [
    { name: "age", kind: "numeric" },
    { name: "plan", kind: "categorical" },
  ];
  const input = (
    name: string,
    elementType: OnnxValueDescription["elementType"],
    shape: (number | string)[] = ["", 1],
  ) => ({
    name,
    elementType,
    shape,
  });

  it("accepts the inputs of our own export", () => {
    expect(() => checkOnnxInputs(session.inputs, expected, "model.onnx")).not.toThrow();
  });

  it.each([
    [
      "a missing input",
      [input("age", "float")],
      /missing input "plan" \(categorical feature, expected tensor\(string\) \[N, 1\]\)/,
    ],
    [
      "a mistyped input",
      [input("age", "int64"), input("plan", "string")],
      /input "age" is tensor\(int64\) but the pipeline feeds the numeric feature as tensor\(float\)/,
    ],
    [
      "a wide input",
      [input("age", "float", ["", 3]), input("plan", "string")],
      /input "age" has shape \[N, 3\], expected \[N, 1\]/,
    ],
    [
      "an input the pipeline does not have",
      [input("age", "float"), input("plan", "string"), input("zip", "string")],
      /input "zip" is not one of the pipeline's features \(age, plan\)/,
    ],
  ])("rejects %s, naming the file and the input", (_name, actual, message) => {
    const act = () => checkOnnxInputs(actual, expected, "out/model.onnx");
    expect(act).toThrow(OnnxError);
    expect(act).toThrow(/^out\/model.onnx: the model's inputs do not match the pipeline's features/);
    expect(act).toThrow(message);
  });
});
