import { describe, expect, it } from "vitest";
import { computeChiSquaredTest } from "../../src/monitoring/drift/chi-squared.js";
import {
  computeJensenShannon,
  computeNormalisedWasserstein,
  computePsi,
  computeWassersteinSorted,
} from "../../src/monitoring/drift/distances.js";
import {
  computeNewCategoryTest,
  computeNullRateTest,
  computeTwoProportionZTest,
} from "../../src/monitoring/drift/proportions.js";
import { computePopulationStd } from "../../src/common/statistics/descriptive.js";
import { chiSquaredSf, normalSf } from "../../src/common/statistics/special-functions.js";
import { loadGolden, relativeError } from "./fixtures.js";

interface DistributionsGolden {
  chi2_contingency: {
    reference: number[];
    current: number[];
    statistic: number;
    p_value: number;
    dof: number;
  }[];
  chi2_sf: { x: number; df: number; sf: number }[];
  normal_sf: { z: number; sf: number }[];
  wasserstein: { label: string; u: number[]; v: number[]; distance: number; u_std: number }[];
  jensenshannon: { p: number[]; q: number[]; distance: number }[];
}

const golden = loadGolden<DistributionsGolden>("distributions.json");
const proportions = loadGolden<{
  z_tests: { s1: number; n1: number; s2: number; n2: number; z: number; p_value: number }[];
}>("proportions.json");
const sorted = (a: number[]): Float64Array => Float64Array.from(a).sort();

describe("special functions against SciPy", () => {
  it.each(golden.chi2_sf.map((c) => [c.x, c.df, c.sf] as const))("chi2.sf(%f, %i)", (x, df, sf) => {
    expect(relativeError(chiSquaredSf(x, df), sf)).toBeLessThanOrEqual(1e-9);
  });
  it.each(golden.normal_sf.map((c) => [c.z, c.sf] as const))("norm.sf(%f)", (z, sf) => {
    expect(relativeError(normalSf(z), sf)).toBeLessThanOrEqual(1e-9);
  });
});

describe("chi-squared homogeneity against chi2_contingency(correction=False)", () => {
  it.each(golden.chi2_contingency.map((c) => [JSON.stringify([c.reference, c.current]), c] as const))(
    "%s",
    (_label, c) => {
      const result = computeChiSquaredTest(c.reference, c.current);
      expect(relativeError(result.statistic, c.statistic)).toBeLessThanOrEqual(1e-12);
      expect(relativeError(result.pValue, c.p_value)).toBeLessThanOrEqual(1e-6);
      expect(result.dof).toBe(c.dof);
    },
  );

  it("returns p = 1 when only one category is present", () => {
    expect(computeChiSquaredTest([5, 0], [7, 0])).toEqual({ statistic: 0, pValue: 1, dof: 0 });
  });

  it("rejects count vectors of different lengths", () => {
    expect(() => computeChiSquaredTest([1, 2], [1, 2, 3])).toThrow(/equal length/);
  });
});

describe("Wasserstein against scipy.stats.wasserstein_distance", () => {
  it.each(golden.wasserstein.map((c) => [c.label, c] as const))("%s", (_label, c) => {
    expect(relativeError(computeWassersteinSorted(sorted(c.u), sorted(c.v)), c.distance)).toBeLessThan(1e-10);
    expect(relativeError(computePopulationStd(Float64Array.from(c.u)), c.u_std)).toBeLessThan(1e-12);
    expect(
      relativeError(computeNormalisedWasserstein(sorted(c.u), sorted(c.v)), c.distance / c.u_std),
    ).toBeLessThan(1e-10);
  });
});

describe("Jensen-Shannon distance (base 2) against scipy.spatial.distance.jensenshannon", () => {
  it.each(golden.jensenshannon.map((c) => [JSON.stringify([c.p, c.q]), c] as const))("%s", (_label, c) => {
    expect(Math.abs(computeJensenShannon(c.p, c.q) - c.distance)).toBeLessThan(1e-12);
  });
});

describe("PSI", () => {
  it.each([
    // Hand-computed: shares (0.5, 0.5) → (0.9, 0.1): 0.4·ln(1.8) + (−0.4)·ln(0.2).
    [[50, 50], [90, 10], 0.4 * Math.log(1.8) - 0.4 * Math.log(0.2)],
    [[1, 1, 1], [1, 1, 1], 0],
    // An empty current bin is floored at 1e-4 instead of giving infinity.
    [[1, 1], [1, 0], (1 - 0.5) * Math.log(1 / 0.5) + (1e-4 - 0.5) * Math.log(1e-4 / 0.5)],
  ])("psi(%j, %j) = %f", (r, c, expected) => {
    expect(computePsi(r, c)).toBeCloseTo(expected, 12);
  });
});

describe("two-proportion and null-rate tests", () => {
  it.each(proportions.z_tests.map((c) => [c.s1, c.n1, c.s2, c.n2, c] as const))(
    "z test %i/%i vs %i/%i",
    (s1, n1, s2, n2, c) => {
      const result = computeTwoProportionZTest(s1, n1, s2, n2);
      expect(result.statistic).toBeCloseTo(c.z, 10);
      expect(relativeError(result.pValue, c.p_value)).toBeLessThan(1e-8);
    },
  );

  it.each([
    [0, 100, 0, 100],
    [100, 100, 100, 100],
  ])("z test %i/%i vs %i/%i has no variance: z = 0, p = 1", (s1, n1, s2, n2) => {
    expect(computeTwoProportionZTest(s1, n1, s2, n2)).toEqual({ statistic: 0, pValue: 1 });
  });

  it("flags a missingness shift that non-null tests cannot see", () => {
    const result = computeNullRateTest(0, 1000, 150, 1000);
    expect(result.pValue).toBeLessThan(1e-20);
  });

  it("refuses an empty window", () => {
    expect(() => computeTwoProportionZTest(0, 0, 1, 10)).toThrow(/n1, n2 > 0/);
  });
});

describe("new-category test", () => {
  it.each([
    // One unseen value among 2 current rows against 2 reference rows: p = 2/4.
    [1, 2, 2, 0.5],
    // Three unseen rows: (10·9·8)/(20·19·18).
    [3, 10, 10, (10 * 9 * 8) / (20 * 19 * 18)],
    [0, 10, 10, 1],
  ])("%i new rows, n_ref=%i n_cur=%i", (k, nr, nc, p) => {
    expect(computeNewCategoryTest(k, nr, nc).pValue).toBeCloseTo(p, 14);
  });
});
