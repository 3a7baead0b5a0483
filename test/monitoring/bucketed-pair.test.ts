import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BUCKETED_PAIR_MIN_COUNT,
  createBucketedNumericPair,
} from "../../src/monitoring/drift/bucketed-pair.js";
import { computeKsFromStatistic } from "../../src/monitoring/drift/ks.js";
import {
  sortedNumericPair,
  type NumericPair,
  type PairSide,
} from "../../src/monitoring/drift/numeric-pair.js";
import { sortFinite } from "../../src/monitoring/profile/bins.js";
import { computeDriftReport } from "../../src/monitoring/drift/report.js";
import { loadGolden, relativeError } from "./fixtures.js";
import { frameOf, numeric } from "./frames.js";

interface SampleSpec {
  offset: number;
  n: number;
  scale?: number;
  shift?: number;
  grid?: boolean;
}

interface LargeWindowsGolden {
  cases: {
    label: string;
    reference: SampleSpec;
    current: SampleSpec;
    statistic: number;
    p_value: number;
    reference_deciles: number[];
  }[];
}

const golden = loadGolden<LargeWindowsGolden>("large-windows.json");

/** h(k)/2³², the 32-bit integer hash generate.py uses (every step exact in both languages). */
function hashedUniform(k: number): number {
  let h = Math.imul(k, 2654435761) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 0x45d9f3b) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h / 2 ** 32;
}

/** The sample generate.py's `hashed_sample` builds from the same spec. */
function hashedSample(spec: SampleSpec): Float64Array {
  const out = new Float64Array(spec.n);
  for (let i = 0; i < spec.n; i++) {
    const j = 4 * (spec.offset + i);
    const u = hashedUniform(j) + hashedUniform(j + 1) + hashedUniform(j + 2) + hashedUniform(j + 3);
    const x = (u - 2) * (spec.scale ?? 1) + (spec.shift ?? 0);
    out[i] = spec.grid ? Math.floor(x * 64 + 0.5) / 64 : x;
  }
  return out;
}

const SIDES: readonly PairSide[] = ["reference", "current"];

/** −0 and +0 are one distinct value; which of the two a pair reports first is not part of its contract. */
function positiveZeros(values: readonly number[] | undefined): number[] | undefined {
  return values?.map((v) => (v === 0 ? 0 : v));
}

/** Every question a column test asks, answered by both pairs, must get the same answer. */
function expectSameAnswers(bucketed: NumericPair, sorted: NumericPair, probeEdges: readonly number[]): void {
  for (const side of SIDES) {
    expect([bucketed[side].count, bucketed[side].missing]).toEqual([
      sorted[side].count,
      sorted[side].missing,
    ]);
    for (const limit of [1, 2, 20]) {
      expect(positiveZeros(bucketed.distinct(side, limit))).toEqual(
        positiveZeros(sorted.distinct(side, limit)),
      );
    }
  }
  const edges = sorted.referenceDecileEdges();
  expect(bucketed.referenceDecileEdges()).toEqual(edges);
  for (const side of SIDES) {
    expect(bucketed.countBins(side, edges)).toEqual(sorted.countBins(side, edges));
    expect(bucketed.countBins(side, probeEdges)).toEqual(sorted.countBins(side, probeEdges));
    expect(bucketed.sorted(side)).toEqual(sorted.sorted(side));
    expect(Float64Array.from(bucketed.values(side)).sort()).toEqual(sorted.sorted(side));
  }
  expect(bucketed.ksStatistic()).toBe(sorted.ksStatistic());
}

describe("bucketed comparison of large windows against SciPy and NumPy", () => {
  it.each(golden.cases.map((c) => [c.label, c] as const))("%s", (_label, c) => {
    // Arrange
    const reference = hashedSample(c.reference);
    const current = hashedSample(c.current);

    // Act
    const pair = createBucketedNumericPair(reference, current)!;
    const ks = computeKsFromStatistic(c.reference.n, c.current.n, pair.ksStatistic());
    const edges = pair.referenceDecileEdges();

    // Assert: ks_2samp(method="auto") and numpy.quantile (linear), deciles collapsed where tied.
    expect(Math.abs(ks.statistic - c.statistic)).toBeLessThanOrEqual(1e-12);
    expect(relativeError(ks.pValue, c.p_value)).toBeLessThanOrEqual(1e-6);
    const deciles = c.reference_deciles.filter((q, i, all) => i === 0 || q > all[i - 1]!);
    expect(edges).toHaveLength(deciles.length);
    edges.forEach((e, i) => expect(Math.abs(e - deciles[i]!)).toBeLessThanOrEqual(1e-12));
  });

  it.each(golden.cases.map((c) => [c.label, c] as const))(
    "%s: a drift report over windows this large gives SciPy's D and p-value, and the sorted answers",
    async (_label, c) => {
      // Arrange: windows above the size where reports switch to buckets.
      expect(Math.min(c.reference.n, c.current.n)).toBeGreaterThanOrEqual(BUCKETED_PAIR_MIN_COUNT);
      const reference = hashedSample(c.reference);
      const current = hashedSample(c.current);

      // Act
      const report = await computeDriftReport(
        frameOf(numeric("x", reference)),
        frameOf(numeric("x", current)),
        {
          multivariate: false,
          permutations: 0,
        },
      );

      // Assert
      const feature = report.features[0]!;
      expect(feature.method).toBe("ks");
      expect(Math.abs(feature.statistic! - c.statistic)).toBeLessThanOrEqual(1e-12);
      expect(relativeError(feature.p_value!, c.p_value)).toBeLessThanOrEqual(1e-6);
      expectSameAnswers(
        createBucketedNumericPair(reference, current)!,
        sortedNumericPair(sortFinite(reference), sortFinite(current)),
        [-0.25, 0, 1 / 3],
      );
    },
  );
});

/** Values that stress buckets: ties, signed zeros, clusters far apart, missing values. */
const value = fc.oneof(
  fc.double({ min: -1e3, max: 1e3, noNaN: true }),
  fc.integer({ min: -4, max: 4 }),
  fc.constantFrom(0, -0, 0.1, 1e-300, -1e-300, 7e12, Number.NaN),
);
const window = fc.array(value, { minLength: 1, maxLength: 300 }).map((v) => Float64Array.from(v));

describe("bucketed pair", () => {
  it("answers every question exactly as the sorted pair does, for any number of buckets", () => {
    fc.assert(
      fc.property(
        window,
        window,
        fc.integer({ min: 1, max: 64 }),
        fc.array(fc.double({ min: -2e3, max: 2e3, noNaN: true }), { maxLength: 4 }),
        (reference, current, buckets, probes) => {
          const pair = createBucketedNumericPair(reference, current, { buckets });
          const sorted = sortedNumericPair(sortFinite(reference), sortFinite(current));
          if (pair === undefined) {
            // Only when one window has no values or every value is the same.
            const all = [...sorted.sorted("reference"), ...sorted.sorted("current")];
            expect(
              sorted.reference.count === 0 || sorted.current.count === 0 || all.every((v) => v === all[0]),
            ).toBe(true);
            return;
          }
          const probeEdges = [...new Set(probes)].sort((a, b) => a - b);
          expectSameAnswers(pair, sorted, probeEdges);
        },
      ),
      { numRuns: 400, seed: 20261128 },
    );
  });

  it("answers as the sorted pair does with the default buckets, on larger windows and spans near the largest double", () => {
    const wide = fc.oneof(
      fc.double({ min: -4.5e307, max: 4.5e307, noNaN: true }),
      fc.double({ min: -1, max: 1, noNaN: true }),
      fc.constantFrom(0, -0, 5e-324, -5e-324, Number.NaN),
    );
    fc.assert(
      fc.property(
        fc.array(wide, { minLength: 1, maxLength: 3_000 }),
        fc.array(wide, { minLength: 1, maxLength: 3_000 }),
        (a, b) => {
          const reference = Float64Array.from(a);
          const current = Float64Array.from(b);
          const pair = createBucketedNumericPair(reference, current);
          if (pair === undefined) return;
          expectSameAnswers(pair, sortedNumericPair(sortFinite(reference), sortFinite(current)), [0]);
        },
      ),
      { numRuns: 60, seed: 28 },
    );
  });

  it.each([
    [
      // 99 % of the values in the first of 1,024 buckets, one outlier far away.
      "one outlier far away",
      Float64Array.from({ length: 5_000 }, (_, i) => (i === 0 ? 1e9 : Math.sin(i))),
      Float64Array.from({ length: 4_000 }, (_, i) => Math.cos(i) + 0.05),
    ],
    [
      // Two buckets hold everything, and D peaks inside them: the KS buckets are the whole windows.
      "a 0/1 column",
      Float64Array.from({ length: 5_000 }, (_, i) => (i % 3 === 0 ? 1 : 0)),
      Float64Array.from({ length: 4_000 }, (_, i) => (i % 2 === 0 ? 1 : 0)),
    ],
  ])("gives the sorted answers when most values share a bucket: %s", (_label, reference, current) => {
    // Act
    const pair = createBucketedNumericPair(reference, current, { buckets: 1_024 })!;

    // Assert
    expectSameAnswers(pair, sortedNumericPair(sortFinite(reference), sortFinite(current)), [0, 0.5]);
  });

  it("declines windows buckets cannot order: an infinite value, no values, one value, a subnormal span", () => {
    const ok = Float64Array.of(1, 2, 3);
    expect(createBucketedNumericPair(Float64Array.of(1, Number.POSITIVE_INFINITY), ok)).toBeUndefined();
    expect(createBucketedNumericPair(ok, Float64Array.of(Number.NEGATIVE_INFINITY, 2))).toBeUndefined();
    expect(createBucketedNumericPair(Float64Array.of(Number.NaN, Number.NaN), ok)).toBeUndefined();
    expect(createBucketedNumericPair(Float64Array.of(4, 4), Float64Array.of(4))).toBeUndefined();
    expect(createBucketedNumericPair(Float64Array.of(0), Float64Array.of(5e-324))).toBeUndefined();
    expect(createBucketedNumericPair(ok, ok)).toBeDefined();
  });

  it("declines windows with fewer non-missing values than minCount", () => {
    const four = Float64Array.of(1, 2, Number.NaN, 3, 4);
    expect(createBucketedNumericPair(four, four, { minCount: 5 })).toBeUndefined();
    expect(createBucketedNumericPair(four, four, { minCount: 4 })).toBeDefined();
  });

  it("refuses a bucket count that is not a positive integer", () => {
    const ok = Float64Array.of(1, 2, 3);
    expect(() => createBucketedNumericPair(ok, ok, { buckets: 0 })).toThrow(
      /buckets must be a positive integer, got 0/,
    );
    expect(() => createBucketedNumericPair(ok, ok, { buckets: 2.5 })).toThrow(/got 2.5/);
  });
});
