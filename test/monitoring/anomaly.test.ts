import { describe, expect, it } from "vitest";
import { createRandom } from "../../src/common/random.js";
import { CUSUM_START, stepCusum } from "../../src/monitoring/anomaly/cusum.js";
import { EWMA_START, stepEwma } from "../../src/monitoring/anomaly/ewma.js";
import { PAGE_HINKLEY_START, stepPageHinkley } from "../../src/monitoring/anomaly/page-hinkley.js";
import { ROBUST_Z_START, stepRobustZ } from "../../src/monitoring/anomaly/robust-z.js";
import { EMPTY_WARMUP, finishWarmup, stepWarmup } from "../../src/monitoring/anomaly/baseline.js";
import type { AnomalySignal } from "../../src/monitoring/anomaly/baseline.js";

const baseline = { mean: 100, std: 10 };

type Runner = (xs: readonly number[]) => AnomalySignal[];

function run<S>(start: S, step: (s: S, x: number) => { state: S; signal: AnomalySignal }): Runner {
  return (xs) => {
    let state = start;
    return xs.map((x) => {
      const r = step(state, x);
      state = r.state;
      return r.signal;
    });
  };
}

const detectors: [string, Runner][] = [
  ["cusum", run(CUSUM_START, (s, x) => stepCusum(s, x, { baseline }))],
  ["ewma", run(EWMA_START, (s, x) => stepEwma(s, x, { baseline }))],
  ["page-hinkley", run(PAGE_HINKLEY_START, (s, x) => stepPageHinkley(s, x, { baseline }))],
  ["robust-z", run(ROBUST_Z_START, (s, x) => stepRobustZ(s, x))],
];

function noise(n: number, seed: number, shiftAt = Infinity, shift = 0): number[] {
  const random = createRandom(seed);
  return Array.from(
    { length: n },
    (_, i) => baseline.mean + baseline.std * random.normal() + (i >= shiftAt ? shift : 0),
  );
}

describe("anomaly detectors", () => {
  it("CUSUM accumulates (z − k) and alarms past h, then restarts", () => {
    // Hand trace with k = 0.5, h = 5: z = 2 each step adds 1.5 → 1.5, 3, 4.5, 6 (alarm).
    const signals = detectors[0]![1]([120, 120, 120, 120, 120]);
    expect(signals.map((s) => s.statistic)).toEqual([1.5, 3, 4.5, 6, 1.5]);
    expect(signals.map((s) => s.alarm)).toEqual([false, false, false, true, false]);
    expect(signals[3]!.direction).toBe("up");
  });

  it("EWMA alarms when the smoothed value leaves L·√(λ/(2−λ))", () => {
    // λ = 0.2: z₁ = 0.2·4 = 0.8 < 1, z₂ = 0.2·4 + 0.8·0.8 = 1.44 > 3·√(0.2/1.8) = 1.
    const signals = detectors[1]![1]([60, 60]);
    expect(signals.map((s) => s.alarm)).toEqual([false, true]);
    expect(signals[1]!.direction).toBe("down");
  });

  it("robust z ignores the outlier it flags and uses 0.6745·(x − median)/MAD", () => {
    const window = Array.from({ length: 100 }, (_, i) => 100 + (i % 5) - 2); // median 100, MAD 1
    const signals = detectors[3]![1]([...window, 106, 105]);
    expect(signals[100]!.statistic).toBeCloseTo(0.6745 * 6, 12);
    expect(signals[100]!.alarm).toBe(true);
    expect(signals[101]!.statistic).toBeCloseTo(0.6745 * 5, 12);
    expect(signals[101]!.alarm).toBe(false);
  });

  it.each(detectors)("%s raises few false alarms on in-control noise (ARL0 ≥ 400)", (_name, runner) => {
    const n = 20_000;
    const alarms = runner(noise(n, 11)).filter((s) => s.alarm).length;
    expect(n / Math.max(alarms, 1)).toBeGreaterThanOrEqual(400);
  });

  it.each(detectors.slice(0, 3))("%s detects a 1σ level shift within 60 points", (_name, runner) => {
    const signals = runner(noise(400, 12, 200, baseline.std));
    const first = signals.findIndex((s, i) => i >= 200 && s.alarm);
    expect(first).toBeGreaterThanOrEqual(200);
    expect(first - 200).toBeLessThan(60);
  });

  it("robust z flags a 5σ spike at once", () => {
    const xs = noise(300, 13);
    xs[250] = baseline.mean + 5 * baseline.std;
    const signals = detectors[3]![1](xs);
    expect(signals[250]!.alarm).toBe(true);
  });

  it("skips missing points", () => {
    const signals = detectors[0]![1]([Number.NaN, 120]);
    expect(signals.map((s) => s.statistic)).toEqual([0, 1.5]);
  });

  it("learns a baseline from a warm-up and floors a flat one", () => {
    const warm = [1, 2, 3, 4].reduce(stepWarmup, EMPTY_WARMUP);
    expect(finishWarmup(warm, 1e-6)).toEqual({ mean: 2.5, std: Math.sqrt(5 / 3) });
    expect(finishWarmup([7, 7, 7].reduce(stepWarmup, EMPTY_WARMUP), 0.5)).toEqual({ mean: 7, std: 0.5 });
  });

  it("rejects a baseline without spread", () => {
    expect(() => stepCusum(CUSUM_START, 1, { baseline: { mean: 0, std: 0 } })).toThrow(/positive std/);
  });
});
