import { describe, expect, it } from "vitest";
import { createRandom } from "../../src/common/random.js";
import { transformNumericValue } from "../../src/features/transform.js";
import type { FittedNumericFeature } from "../../src/features/types.js";

/** What ONNX's float32 Imputer then Scaler compute, through float32 storage rather than Math.fround. */
function float32Reference(feature: FittedNumericFeature, raw: number): number {
  const f = new Float32Array(4);
  f[0] = raw;
  if (Number.isNaN(f[0])) f[0] = feature.imputeValue;
  f[1] = f[0] - feature.offset;
  f[2] = f[1] * feature.scale;
  return f[2];
}

describe("transformNumericValue computes as float32, rounding after each step", () => {
  it("matches float32 storage on values where rounding once would differ", () => {
    // Arrange: random fitted parameters and inputs; keep the inputs where a
    // single final rounding gives another answer than step-by-step rounding.
    const random = createRandom(2026);
    let discriminating = 0;
    for (let t = 0; t < 20_000; t++) {
      const feature: FittedNumericFeature = {
        kind: "numeric",
        name: "x",
        imputeValue: Math.fround(random.normal()),
        offset: Math.fround(random.normal() * 100),
        scale: Math.fround(1 / (0.01 + random.next() * 50)),
      };
      const raw = random.normal() * 1000;
      const onceRounded = Math.fround((Math.fround(raw) - feature.offset) * feature.scale);
      // Act
      const actual = transformNumericValue(feature, raw);
      // Assert
      expect(actual).toBe(float32Reference(feature, raw));
      if (actual !== onceRounded) discriminating++;
    }
    expect(discriminating).toBeGreaterThan(0);
  });

  it("imputes a missing value before scaling", () => {
    const feature: FittedNumericFeature = {
      kind: "numeric",
      name: "x",
      imputeValue: 3,
      offset: 1,
      scale: 0.5,
    };
    expect(transformNumericValue(feature, Number.NaN)).toBe(1);
  });
});
