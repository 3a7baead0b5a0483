import { describe, expect, it } from "vitest";
import { createRandom } from "../../src/common/random.js";
import { takeRows } from "../../src/data/frame.js";
import {
  buildReferenceProfile,
  mergeProfiles,
  profileStd,
  ReferenceProfile,
  type CategoricalColumnProfile,
  type NumericColumnProfile,
} from "../../src/monitoring/profile/profile.js";
import { computeSortedQuantile } from "../../src/common/statistics/quantiles.js";
import { SKETCH_RELATIVE_ACCURACY, sketchQuantile } from "../../src/monitoring/profile/sketch.js";
import { categorical, frameOf, numeric } from "./frames.js";

function makeFrame(n: number, seed: number) {
  const random = createRandom(seed);
  const income = new Float64Array(n);
  const age = new Float64Array(n);
  const city: (string | undefined)[] = [];
  for (let i = 0; i < n; i++) {
    income[i] = Math.exp(10 + 0.8 * random.normal());
    age[i] = random.next() < 0.05 ? Number.NaN : 18 + random.int(60);
    const u = random.next();
    city.push(u < 0.02 ? undefined : u < 0.5 ? "paris" : u < 0.8 ? "lyon" : u < 0.95 ? "nice" : "lille");
  }
  return frameOf(numeric("income", income), numeric("age", age), categorical("city", city));
}

function rowsRange(from: number, to: number): Int32Array {
  return Int32Array.from({ length: to - from }, (_, i) => from + i);
}

describe("buildReferenceProfile", () => {
  it("summarises numeric and categorical columns and validates against its own schema", () => {
    // Arrange
    const frame = frameOf(
      numeric("x", [1, 2, 3, 4, Number.NaN]),
      categorical("c", ["a", "b", "a", undefined, "a"]),
    );
    // Act
    const profile = buildReferenceProfile(frame);
    // Assert
    expect(ReferenceProfile.parse(profile)).toEqual(profile);
    const x = profile.columns[0] as NumericColumnProfile;
    expect([x.count, x.null_count, x.mean, x.min, x.max]).toEqual([4, 1, 2.5, 1, 4]);
    expect(profileStd(x)).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(x.values).toEqual([1, 2, 3, 4]);
    expect(x.bin_counts.reduce((s, c) => s + c, 0)).toBe(4);
    const c = profile.columns[1] as CategoricalColumnProfile;
    expect([c.categories, c.category_counts, c.null_count, c.other_count]).toEqual([
      ["a", "b"],
      [3, 1],
      1,
      0,
    ]);
  });

  it("keeps the top-k categories and counts the rest as other", () => {
    const frame = frameOf(categorical("c", ["a", "a", "a", "b", "b", "c", "d"]));
    const c = buildReferenceProfile(frame, { topK: 2 }).columns[0] as CategoricalColumnProfile;
    expect([c.categories, c.category_counts, c.other_count]).toEqual([["a", "b"], [3, 2], 2]);
  });
});

describe("mergeProfiles", () => {
  const n = 20_000;
  const frame = makeFrame(n, 7);
  const whole = buildReferenceProfile(frame);
  const edges = Object.fromEntries(
    whole.columns.filter((c) => c.kind === "numeric").map((c) => [c.name, c.bin_edges]),
  );

  it.each([2, 3, 8])(
    "%i replica profiles with the reference's edges merge into the profile of all rows",
    (replicas) => {
      // Arrange: each replica profiles its own slice of rows.
      const parts = Array.from({ length: replicas }, (_, r) => {
        const slice = takeRows(
          frame,
          rowsRange(Math.floor((r * n) / replicas), Math.floor(((r + 1) * n) / replicas)),
        );
        return buildReferenceProfile(slice, { binEdges: edges });
      });
      // Act
      const merged = mergeProfiles(parts);
      // Assert: counts, bins and categories exact; moments to rounding.
      expect(merged.n_rows).toBe(n);
      for (const [j, column] of merged.columns.entries()) {
        const expected = whole.columns[j]!;
        expect(column.count).toBe(expected.count);
        expect(column.null_count).toBe(expected.null_count);
        if (column.kind === "numeric" && expected.kind === "numeric") {
          expect(column.bin_counts).toEqual(expected.bin_counts);
          expect(column.mean).toBeCloseTo(expected.mean, 6);
          expect(profileStd(column) / profileStd(expected)).toBeCloseTo(1, 10);
          expect([column.min, column.max]).toEqual([expected.min, expected.max]);
        } else {
          expect(column).toEqual(expected);
        }
      }
    },
  );

  it("keeps quantiles within the sketch's relative error of the exact quantiles of all rows", () => {
    const parts = [0, 1, 2, 3].map((r) =>
      buildReferenceProfile(takeRows(frame, rowsRange(r * 5000, (r + 1) * 5000))),
    );
    const merged = mergeProfiles(parts).columns[0] as NumericColumnProfile;
    const income = frame.columns[0]!;
    const sorted = Float64Array.from(income.kind === "numeric" ? income.values : []).sort();
    for (const q of [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99]) {
      // DDSketch returns a value within α of the order statistic at rank q·(n−1).
      const exact = sorted[Math.floor(q * (sorted.length - 1))]!;
      const estimate = sketchQuantile(merged.sketch, q);
      expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(SKETCH_RELATIVE_ACCURACY + 1e-9);
    }
    // Bins re-derived from the merged sketch sit near the exact deciles.
    expect(
      Math.abs(merged.bin_edges[4]! - computeSortedQuantile(sorted, 0.5)) /
        computeSortedQuantile(sorted, 0.5),
    ).toBeLessThan(0.03);
    expect(merged.bin_counts.reduce((s, c) => s + c, 0)).toBe(n);
  });

  it("refuses profiles of different columns, naming them", () => {
    const a = buildReferenceProfile(frameOf(numeric("x", [1, 2])));
    const b = buildReferenceProfile(frameOf(numeric("y", [1, 2])));
    expect(() => mergeProfiles([a, b])).toThrow(/profile 1 has columns \[y:numeric\]/);
  });
});
