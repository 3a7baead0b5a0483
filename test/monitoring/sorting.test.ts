import { describe, expect, it } from "vitest";
import { createRandom } from "../../src/common/random.js";
import { sortFinite } from "../../src/monitoring/sorting/bucket-sort.js";
import { radixArgsortFloat64 } from "../../src/monitoring/sorting/radix-sort.js";

/** Samples that stress the sorts: ties, signed zeros, infinities, skew, tiny and huge magnitudes, NaN. */
function sample(kind: string, n: number, seed: number): Float64Array {
  const random = createRandom(seed);
  return Float64Array.from({ length: n }, (_, i) => {
    const x = random.normal();
    switch (kind) {
      case "ties":
        return Math.round(x * 3) / 3;
      case "zeros":
        return i % 3 === 0 ? (i % 2 === 0 ? -0 : 0) : x;
      case "skewed":
        return i % 100 === 0 ? x * 1e6 : x;
      case "magnitudes":
        return x * 10 ** ((i % 600) - 300);
      case "infinite":
        return i === 5 ? Number.POSITIVE_INFINITY : i === 9 ? Number.NEGATIVE_INFINITY : x;
      case "missing":
        return i % 7 === 0 ? Number.NaN : x;
      case "constant":
        return 2.5;
      default:
        return x;
    }
  });
}

/** Positions where the arrays differ (`Object.is`, so −0 ≠ +0 and NaN = NaN), or −1 on a length mismatch. */
function mismatches(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return -1;
  let k = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) k++;
  return k;
}

const KINDS = ["normal", "ties", "zeros", "skewed", "magnitudes", "infinite", "missing", "constant"];
const CASES = KINDS.flatMap((kind) => [10, 2_500, 6_000].map((n) => [kind, n] as const));

describe("sortFinite (bucket sort)", () => {
  it.each(CASES)(
    "orders %s values (n = %i) exactly as Float64Array.sort, NaN counted as missing",
    (kind, n) => {
      // Arrange
      const values = sample(kind, n, n);
      const copy = Float64Array.from(values);
      const expected = values.filter((v) => v === v).sort();

      // Act
      const { sorted, missing } = sortFinite(values);

      // Assert
      expect(missing).toBe(n - expected.length);
      expect(mismatches(sorted, expected)).toBe(0);
      expect(mismatches(values, copy)).toBe(0);
    },
  );
});

describe("radixArgsortFloat64", () => {
  it.each(CASES.filter(([kind]) => kind !== "missing"))(
    "gives a stable order of %s values (n = %i) matching Float64Array.sort",
    (kind, n) => {
      // Arrange
      const values = sample(kind, n, 7 * n);
      const expected = Float64Array.from(values).sort();

      // Act
      const order = radixArgsortFloat64(values);

      // Assert
      const got = Float64Array.from(order, (i) => values[i]!);
      expect(mismatches(got, expected)).toBe(0);
      let stable = true;
      for (let i = 1; i < n; i++) {
        if (Object.is(got[i], got[i - 1]) && order[i]! < order[i - 1]!) stable = false;
      }
      expect(stable).toBe(true);
      expect(new Set(order).size).toBe(n);
    },
  );
});
