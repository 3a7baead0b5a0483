import { describe, expect, it } from "vitest";
import { computeKsTest } from "../../src/monitoring/drift/ks.js";
import { kolmogorovSf } from "../../src/common/statistics/kolmogorov.js";
import { loadGolden, relativeError } from "./fixtures.js";

interface KsGolden {
  ks_2samp: { label: string; x: number[]; y: number[]; statistic: number; p_value: number }[];
  kstwo_sf: { n: number; x: number; sf: number }[];
}

const golden = loadGolden<KsGolden>("ks.json");

describe("two-sample KS against scipy.stats.ks_2samp(method='auto')", () => {
  it.each(golden.ks_2samp.map((c) => [c.label, c] as const))("%s", (_label, c) => {
    // Arrange
    const x = Float64Array.from(c.x);
    const y = Float64Array.from(c.y);
    // Act
    const result = computeKsTest(x, y);
    // Assert
    expect(Math.abs(result.statistic - c.statistic)).toBeLessThanOrEqual(1e-12);
    expect(relativeError(result.pValue, c.p_value)).toBeLessThanOrEqual(1e-6);
  });

  it("uses the exact distribution up to 10,000 values and the asymptotic one above", () => {
    const small = golden.ks_2samp.find((c) => c.label.startsWith("equal 10000"))!;
    const large = golden.ks_2samp.find((c) => c.label.startsWith("asymp 12000 vs 15000"))!;
    expect(computeKsTest(Float64Array.from(small.x), Float64Array.from(small.y)).mode).toBe("exact");
    expect(computeKsTest(Float64Array.from(large.x), Float64Array.from(large.y)).mode).toBe("asymp");
  });

  it("is symmetric in its two samples", () => {
    const c = golden.ks_2samp.find((g) => g.label.startsWith("unequal 7 vs 13"))!;
    const ab = computeKsTest(Float64Array.from(c.x), Float64Array.from(c.y));
    const ba = computeKsTest(Float64Array.from(c.y), Float64Array.from(c.x));
    expect(ba.statistic).toBe(ab.statistic);
    expect(ba.pValue).toBeCloseTo(ab.pValue, 14);
  });

  it("refuses an empty sample", () => {
    expect(() => computeKsTest(new Float64Array(0), Float64Array.of(1))).toThrow(/non-empty/);
  });
});

describe("Kolmogorov distribution survival function against scipy.stats.kstwo.sf", () => {
  it.each(golden.kstwo_sf.map((c) => [c.n, c.x, c.sf] as const))("n=%i x=%f", (n, x, sf) => {
    expect(relativeError(kolmogorovSf(n, x), sf)).toBeLessThanOrEqual(1e-6);
  });
});
