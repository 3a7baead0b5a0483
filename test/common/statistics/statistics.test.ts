import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DataError } from "../../../src/common/errors.js";
import {
  computeMedianSorted,
  computeMoments,
  computePopulationStd,
} from "../../../src/common/statistics/descriptive.js";
import {
  computeCholeskyFactor,
  solveCholesky,
  solveCholeskyInPlace,
} from "../../../src/common/statistics/linear-algebra.js";
import {
  computeBonferroniThreshold,
  computeRejectionThreshold,
} from "../../../src/common/statistics/multiple-testing.js";
import {
  computeNearestRankQuantile,
  computeSortedQuantile,
} from "../../../src/common/statistics/quantiles.js";
import { computeBinaryRocAuc, computeRocAucTest } from "../../../src/common/statistics/roc-auc.js";
import { lowerBound, upperBound } from "../../../src/common/statistics/search.js";

const sortedArray = fc
  .array(fc.integer({ min: -20, max: 20 }), { maxLength: 40 })
  .map((a) => Float64Array.from(a).sort());

describe("lowerBound and upperBound", () => {
  it("count the elements below (lowerBound) and at most (upperBound) the value, like searchsorted", () => {
    fc.assert(
      fc.property(sortedArray, fc.integer({ min: -22, max: 22 }), (sorted, v) => {
        // Arrange: the definitions, by a linear scan.
        const below = sorted.filter((x) => x < v).length;
        const atMost = sorted.filter((x) => x <= v).length;
        // Act / Assert
        expect(lowerBound(sorted, v)).toBe(below);
        expect(upperBound(sorted, v)).toBe(atMost);
      }),
    );
  });

  it("search only the range they are given", () => {
    const sorted = [0, 1, 1, 1, 5, 9];
    expect(lowerBound(sorted, 1, 2, 5)).toBe(2);
    expect(upperBound(sorted, 1, 2, 5)).toBe(4);
    expect(upperBound(sorted, 10, 1, 4)).toBe(4);
  });
});

describe("quantiles", () => {
  // numpy.quantile(x, q) and numpy.quantile(x, q, method="inverted_cdf") on x = [1, 2, 3, 4, 10].
  it.each([
    [0, 1, 1],
    [0.5, 3, 3],
    [0.9, 7.6, 10],
    [0.99, 9.76, 10],
    [1, 10, 10],
  ])("q = %f: linear %f, nearest rank %f", (q, linear, nearest) => {
    const x = [1, 2, 3, 4, 10];
    expect(computeSortedQuantile(x, q)).toBeCloseTo(linear, 12);
    expect(computeNearestRankQuantile(x, q)).toBe(nearest);
  });

  it("give NaN for an empty sample", () => {
    expect(computeSortedQuantile([], 0.5)).toBeNaN();
    expect(computeNearestRankQuantile([], 0.99)).toBeNaN();
  });
});

describe("descriptive", () => {
  it("takes NumPy's median: the mean of the two middle values", () => {
    expect(computeMedianSorted([1, 2, 4, 7])).toBe(3);
    expect(computeMedianSorted([1, 2, 4])).toBe(2);
    // (a + b) / 2, where a + 0.5·(b − a) rounds to 0.30000000000000004.
    expect(computeMedianSorted([0.1, 0.5])).toBe((0.1 + 0.5) / 2);
    expect(computeMedianSorted([])).toBeNaN();
  });

  it("gives numpy.std(ddof=0)", () => {
    // numpy.std([2, 4, 4, 4, 5, 5, 7, 9]) == 2.0
    expect(computePopulationStd(Float64Array.from([2, 4, 4, 4, 5, 5, 7, 9]))).toBe(2);
    expect(computePopulationStd(new Float64Array(0))).toBe(0);
    // numpy.mean → 5.0; ((x - 5) ** 2).sum() → 32.0
    expect(computeMoments(Float64Array.from([2, 4, 4, 4, 5, 5, 7, 9]))).toEqual({ mean: 5, m2: 32 });
  });
});

describe("multiple testing", () => {
  it("splits α evenly for Bonferroni and treats an empty family as one test", () => {
    expect(computeBonferroniThreshold(0.05, 5)).toBeCloseTo(0.01, 15);
    expect(computeBonferroniThreshold(0.05, 0)).toBe(0.05);
    expect(computeRejectionThreshold([0.001, 0.2, Number.NaN], 0.05, "bonferroni")).toBe(0.025);
  });
});

describe("Cholesky", () => {
  // A = [[4, 2], [2, 3]], b = [2, 1]: numpy.linalg.solve gives [0.5, 0].
  it("solves a positive definite system in place and with a kept factor", () => {
    const a = Float64Array.from([4, 2, 2, 3]);
    const l = computeCholeskyFactor(a, 2);
    expect(Array.from(solveCholesky(l, 2, [2, 1]))).toEqual([0.5, 0]);
    expect(Array.from(a)).toEqual([4, 2, 2, 3]);
    const b = Float64Array.from([2, 1]);
    expect(solveCholeskyInPlace(a, b, 2)).toBe(true);
    expect(Array.from(b)).toEqual([0.5, 0]);
  });

  it("refuses a matrix that is not positive definite", () => {
    expect(solveCholeskyInPlace(Float64Array.from([1, 2, 2, 1]), new Float64Array(2), 2)).toBe(false);
    expect(() => computeCholeskyFactor(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(/not positive definite/);
  });
});

describe("ROC AUC", () => {
  it("counts tied pairs half, as sklearn.metrics.roc_auc_score does", () => {
    // roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75; with a tie at 0.4: 0.625.
    expect(computeBinaryRocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
    expect(computeBinaryRocAuc([0, 0, 1, 1], [0.1, 0.4, 0.4, 0.3])).toBe(0.625);
  });

  it("gives the one-sided Mann–Whitney p-value: scipy.stats.mannwhitneyu(alternative='greater', method='asymptotic', use_continuity=False)", () => {
    // mannwhitneyu([3, 4, 5], [1, 2], ...) → U = 6, p = 0.0416322583317752
    const { auc, pValue } = computeRocAucTest([0, 0, 1, 1, 1], [1, 2, 3, 4, 5]);
    expect(auc).toBe(1);
    expect(pValue).toBeCloseTo(0.0416322583317752, 12);
  });

  it("throws a DataError when only one class is present", () => {
    expect(() => computeRocAucTest([1, 1, 1], [0.2, 0.3, 0.4])).toThrow(DataError);
    expect(() => computeBinaryRocAuc([0, 0], [0.2, 0.3])).toThrow(/only one class/);
  });
});
