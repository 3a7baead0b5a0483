/** Small hand-built features and models for the export edge cases. */
import type { FittedFeatures } from "../../src/features/types.js";
import type { TreeArrays } from "../../src/learners/model.js";

/** One numeric column, passed through unchanged (offset 0, scale 1, impute 0). */
export const oneNumeric: FittedFeatures = {
  features: [{ kind: "numeric", name: "x", imputeValue: 0, offset: 0, scale: 1 }],
  outputNames: ["x"],
};

/** A stump on feature 0: `x <= threshold` → left leaf, else right leaf. */
export function stump(threshold: number, left: readonly number[], right: readonly number[]): TreeArrays {
  return {
    feature: Int32Array.of(0, -1, -1),
    threshold: Float64Array.of(threshold, 0, 0),
    left: Int32Array.of(1, 0, 0),
    right: Int32Array.of(2, 0, 0),
    value: Float64Array.of(...new Array<number>(left.length).fill(0), ...left, ...right),
    nOutputs: left.length,
  };
}
