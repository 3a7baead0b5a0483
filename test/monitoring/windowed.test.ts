import { describe, expect, it } from "vitest";
import { createRandom } from "../../src/common/random.js";
import { computeChiSquaredTest } from "../../src/monitoring/drift/chi-squared.js";
import { buildReferenceProfile, type NumericColumnProfile } from "../../src/monitoring/profile/profile.js";
import { countBins } from "../../src/monitoring/profile/bins.js";
import {
  buildWindowBuckets,
  computeWindowDrift,
  countsFromCumulative,
} from "../../src/monitoring/drift/windowed.js";
import { frameOf, numeric } from "./frames.js";

function normals(n: number, seed: number, shift = 0): Float64Array {
  const random = createRandom(seed);
  return Float64Array.from({ length: n }, () => random.normal() + shift);
}

const profile = buildReferenceProfile(frameOf(numeric("latency ms", normals(5000, 1))));
const column = profile.columns[0] as NumericColumnProfile;

describe("windowed drift from histogram buckets", () => {
  it("exposes the reference deciles as bucket bounds", () => {
    expect(buildWindowBuckets(profile)).toEqual([{ name: "latency ms", upperBounds: column.bin_edges }]);
    expect(column.bin_edges).toHaveLength(9);
  });

  it("gives the same statistic from summed replica counts as from one window of all rows", () => {
    // Arrange: three replicas each count their own rows into the same buckets.
    const rows = [normals(300, 2, 0.3), normals(250, 3, 0.3), normals(450, 4, 0.3)];
    const perReplica = rows.map((r) => Array.from(countBins(r, column.bin_edges)));
    const summed = perReplica[0]!.map((_, i) => perReplica.reduce((s, c) => s + c[i]!, 0));
    const all = Float64Array.from(rows.flatMap((r) => Array.from(r)));
    // Act
    const fromReplicas = computeWindowDrift(column, summed);
    const fromAll = computeWindowDrift(column, Array.from(countBins(all, column.bin_edges)));
    // Assert
    expect(fromReplicas).toEqual(fromAll);
    const chi = computeChiSquaredTest(column.bin_counts, summed);
    expect(fromReplicas.chi2).toEqual({ statistic: chi.statistic, pValue: chi.pValue });
    expect(fromReplicas.chi2.pValue).toBeLessThan(1e-6);
  });

  it("does not flag a window from the reference distribution", () => {
    const counts = Array.from(countBins(normals(1000, 9), column.bin_edges));
    const result = computeWindowDrift(column, counts);
    expect(result.chi2.pValue).toBeGreaterThan(0.01);
    expect(result.ks.pValue).toBeGreaterThan(0.01);
  });

  it("turns Prometheus cumulative buckets into counts and refuses decreasing ones", () => {
    expect(countsFromCumulative([2, 5, 5, 9])).toEqual([2, 3, 0, 4]);
    expect(() => countsFromCumulative([2, 1])).toThrow(/bucket 1 \(1\) is below/);
  });

  it("reports insufficient data for an empty window and tests its missing values", () => {
    const result = computeWindowDrift(column, Array<number>(10).fill(0), 20);
    expect(result.insufficient).toMatch(/insufficient data/);
    expect(result.nullRate!.pValue).toBeLessThan(1e-10);
  });

  it("refuses a count vector that does not match the profile's buckets", () => {
    expect(() => computeWindowDrift(column, [1, 2])).toThrow(/expected 10 bucket counts/);
  });
});
