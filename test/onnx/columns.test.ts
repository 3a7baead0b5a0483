import { describe, expect, it } from "vitest";
import { DataError } from "../../src/common/errors.js";
import type { Frame } from "../../src/data/frame.js";
import type { FittedFeatures } from "../../src/features/types.js";
import { buildOnnxColumns } from "../../src/onnx/columns.js";

const frame: Frame = {
  nRows: 3,
  columns: [
    { kind: "numeric", name: "age", values: Float64Array.of(1.5, Number.NaN, 0.1) },
    { kind: "categorical", name: "plan", codes: Int32Array.of(1, -1, 0), dictionary: ["basic", "pro"] },
    { kind: "numeric", name: "zip", values: Float64Array.of(75001, 10115, Number.NaN) },
  ],
};

const features = (list: FittedFeatures["features"]): FittedFeatures => ({ features: list, outputNames: [] });

describe("buildOnnxColumns", () => {
  it("gives float32 numbers (NaN kept), category strings with '' for missing, and numeric categories as text", () => {
    const columns = buildOnnxColumns(
      features([
        { kind: "numeric", name: "age", imputeValue: 0, offset: 0, scale: 1 },
        {
          kind: "categorical",
          name: "plan",
          imputeValue: "basic",
          categories: ["basic"],
          rareCategories: [],
        },
        { kind: "categorical", name: "zip", imputeValue: "75001", categories: ["75001"], rareCategories: [] },
      ]),
      frame,
    );
    expect(Array.from(columns.age as Float32Array)).toEqual([1.5, Number.NaN, Math.fround(0.1)]);
    expect(columns.plan).toEqual(["pro", "", "basic"]);
    expect(columns.zip).toEqual(["75001", "10115", ""]);
  });

  it("takes the given rows in order", () => {
    const columns = buildOnnxColumns(
      features([
        {
          kind: "categorical",
          name: "plan",
          imputeValue: "basic",
          categories: ["basic"],
          rareCategories: [],
        },
      ]),
      frame,
      Int32Array.of(2, 0),
    );
    expect(columns.plan).toEqual(["basic", "pro"]);
  });

  it.each([
    [
      { kind: "numeric", name: "plan", imputeValue: 0, offset: 0, scale: 1 } as const,
      /"plan" was numeric in training but holds text here/,
    ],
    [
      { kind: "numeric", name: "gone", imputeValue: 0, offset: 0, scale: 1 } as const,
      /"gone" not found in the data/,
    ],
  ])("rejects %j with a DataError", (feature, message) => {
    const act = () => buildOnnxColumns(features([feature]), frame);
    expect(act).toThrow(DataError);
    expect(act).toThrow(message);
  });
});
