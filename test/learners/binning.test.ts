import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DataError } from "../../src/common/errors.js";
import { lowerBound } from "../../src/common/statistics/search.js";
import { buildBinnedMatrix, computeBinThresholds } from "../../src/learners/binning.js";

describe("computeBinThresholds", () => {
  it("gives every distinct value its own bin, with float32 midpoints between them", () => {
    // Arrange
    const values = Float64Array.from([3, 1, 2, 2, 1, 5]);

    // Act
    const thresholds = computeBinThresholds(values, 255);

    // Assert
    expect(Array.from(thresholds)).toEqual([1.5, 2.5, 4]);
  });

  it("falls back to the lower observed value when the midpoint rounds up to the upper one", () => {
    // Arrange: two adjacent float32 values; their midpoint is not a float32 and rounds to the even one.
    const a = Math.fround(1);
    const c = 1 + 2 ** -23;
    const values = Float64Array.from([c, a]);

    // Act
    const thresholds = computeBinThresholds(values, 255);

    // Assert
    expect(Array.from(thresholds)).toEqual([a]);
  });

  it("puts about equally many rows in each bin when values outnumber bins", () => {
    // Arrange: 1000 distinct values, 10 bins of 100 rows.
    const values = Float64Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);

    // Act
    const thresholds = computeBinThresholds(values, 10);
    const counts = new Array<number>(10).fill(0);
    for (const v of values) counts[lowerBound(thresholds, v)]!++;

    // Assert
    expect(thresholds).toHaveLength(9);
    expect(counts).toEqual(new Array<number>(10).fill(100));
  });

  it("never splits one value across bins, even when it holds most rows", () => {
    // Arrange: 0 holds 900 of 1000 rows.
    const values = Float64Array.from({ length: 1000 }, (_, i) => (i < 900 ? 0 : i));

    // Act
    const thresholds = computeBinThresholds(values, 10);

    // Assert: one bin for the zeros, then up to 9 for the rest.
    expect(lowerBound(thresholds, 0)).toBe(0);
    expect(lowerBound(thresholds, 900)).toBe(1);
    expect(thresholds.length).toBeLessThanOrEqual(9);
  });

  it.each([[2], [7], [255]])(
    "keeps 'bin <= b' equal to 'x <= threshold[b]' for every row (max_bins %i)",
    (maxBins) => {
      fc.assert(
        fc.property(
          fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 400 }),
          (raw) => {
            // Arrange
            const values = Float64Array.from(raw);

            // Act
            const thresholds = computeBinThresholds(values, maxBins);

            // Assert
            expect(thresholds.length).toBeLessThan(maxBins);
            for (const t of thresholds) expect(Math.fround(t)).toBe(t);
            for (const v of values) {
              const bin = lowerBound(thresholds, v);
              for (let b = 0; b < thresholds.length; b++) expect(bin <= b).toBe(v <= thresholds[b]!);
            }
          },
        ),
        { numRuns: 60 },
      );
    },
  );
});

describe("buildBinnedMatrix", () => {
  it("bins column-major into one shared Uint8Array", () => {
    // Arrange
    const X = {
      nRows: 3,
      columns: [Float64Array.from([0.5, 0.25, 0.5]), Float64Array.from([9, 8, 7])],
      names: ["a", "b"],
    };

    // Act
    const binned = buildBinnedMatrix(X, 255);

    // Assert
    expect(Array.from(binned.bins)).toEqual([1, 0, 1, 2, 1, 0]);
    expect(Array.from(binned.nBins)).toEqual([2, 3]);
    expect(binned.bins.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it("learns thresholds from the fitting rows only and maps every row", () => {
    // Arrange
    const X = { nRows: 4, columns: [Float64Array.from([1, 2, 3, 100])], names: ["a"] };

    // Act
    const binned = buildBinnedMatrix(X, 255, Int32Array.from([0, 1]));

    // Assert
    expect(Array.from(binned.thresholds[0]!)).toEqual([1.5]);
    expect(Array.from(binned.bins)).toEqual([0, 1, 1, 1]);
  });

  it("rejects a missing value, naming the feature and the row", () => {
    // Arrange
    const X = { nRows: 3, columns: [Float64Array.from([1, Number.NaN, 3])], names: ["tenure"] };

    // Act
    const act = () => buildBinnedMatrix(X, 255);

    // Assert
    expect(act).toThrow(DataError);
    expect(act).toThrow(/feature "tenure" has a missing value \(NaN\) at row 1/);
  });
});
