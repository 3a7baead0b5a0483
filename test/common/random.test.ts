import { describe, expect, it } from "vitest";
import { createRandom, shuffleInPlace } from "../../src/common/random.js";

describe("createRandom", () => {
  it("gives the same stream for the same seed and a different one for another seed", () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const seqA = Array.from({ length: 8 }, () => a.nextUint32());
    const seqB = Array.from({ length: 8 }, () => b.nextUint32());
    const seqC = Array.from({ length: 8 }, () => c.nextUint32());
    expect(seqA).toEqual(seqB);
    expect(seqA).not.toEqual(seqC);
  });

  it("draws uniform floats in [0, 1) with the expected mean and variance", () => {
    const random = createRandom(7);
    const n = 200_000;
    let sum = 0;
    let sumSq = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const x = random.next();
      sum += x;
      sumSq += x * x;
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    const mean = sum / n;
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(sumSq / n - mean * mean).toBeCloseTo(1 / 12, 2);
  });

  it("draws integers without modulo bias across every bucket", () => {
    const random = createRandom(1);
    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[random.int(7)]!++;
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(400);
  });

  it("draws standard normals", () => {
    const random = createRandom(3);
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const z = random.normal();
      sum += z;
      sumSq += z * z;
    }
    expect(sum / n).toBeCloseTo(0, 1);
    expect(sumSq / n).toBeCloseTo(1, 1);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY])("rejects the seed %s", (seed) => {
    expect(() => createRandom(seed)).toThrow(/seed must be a finite number/);
  });

  it("rejects int(0)", () => {
    expect(() => createRandom(1).int(0)).toThrow(/0 < n/);
  });

  it("forks deterministic, independent streams", () => {
    const first = createRandom(9).fork(1);
    const again = createRandom(9).fork(1);
    const other = createRandom(9).fork(2);
    expect(first.nextUint32()).toBe(again.nextUint32());
    expect(createRandom(9).fork(1).nextUint32()).not.toBe(other.nextUint32());
  });
});

describe("shuffleInPlace", () => {
  it("permutes every element exactly once, deterministically", () => {
    const a = shuffleInPlace(
      Int32Array.from({ length: 100 }, (_, i) => i),
      createRandom(5),
    );
    const b = shuffleInPlace(
      Int32Array.from({ length: 100 }, (_, i) => i),
      createRandom(5),
    );
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(a)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
