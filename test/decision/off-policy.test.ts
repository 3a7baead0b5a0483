import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Action } from "../../src/decision/actions.js";
import {
  estimatePolicyValue,
  fitRewardPredictor,
  type EvaluationSample,
} from "../../src/decision/off-policy.js";
import {
  createRidgeStats,
  fitRidge,
  predictionStdError,
  predictRidge,
  updateRidgeStats,
} from "../../src/decision/ridge.js";

interface Golden {
  ridge: number;
  samples: { context: number[]; action: Action; propensity: number; reward: number; target: Action }[];
  fits: {
    action: Action;
    n: number;
    theta: number[];
    sigma2: number;
    probe_prediction: number;
    probe_std_error: number;
  }[];
  ips: { value: number; std_error: number };
  snips: number;
  dr: { value: number; std_error: number };
  match_rate: number;
}

// Produced by make_goldens.py with NumPy.
const golden = JSON.parse(
  readFileSync(new URL("../fixtures/decision/off-policy.json", import.meta.url), "utf8"),
) as Golden;

const samples: EvaluationSample[] = golden.samples.map((s) => ({
  context: s.context,
  action: s.action,
  propensity: s.propensity,
  reward: s.reward,
  baseline: s.target,
  mask: ["ignore", "notify", "abort_canary", "rollback", "retrain"],
}));

describe("ridge statistics against NumPy", () => {
  it.each(golden.fits)("fits action $action like numpy.linalg.solve", (fit) => {
    const dim = golden.samples[0]!.context.length;
    const stats = createRidgeStats(dim, golden.ridge);
    for (const s of golden.samples) if (s.action === fit.action) updateRidgeStats(stats, s.context, s.reward);

    const ridge = fitRidge(stats);
    const probe = golden.samples[0]!.context;

    expect(ridge.n).toBe(fit.n);
    ridge.theta.forEach((t, i) => expect(t).toBeCloseTo(fit.theta[i]!, 9));
    expect(ridge.sigma2).toBeCloseTo(fit.sigma2, 9);
    expect(predictRidge(ridge, probe)).toBeCloseTo(fit.probe_prediction, 9);
    expect(predictionStdError(ridge, probe)).toBeCloseTo(fit.probe_std_error, 9);
  });

  it("retracting an observation restores the statistics exactly", () => {
    const stats = createRidgeStats(3, 1);
    updateRidgeStats(stats, [1, 2, 3], 0.5);
    const before = { a: Array.from(stats.a), b: Array.from(stats.b), n: stats.n, sumSq: stats.sumSq };

    updateRidgeStats(stats, [1, -1, 0.5], 2);
    updateRidgeStats(stats, [1, -1, 0.5], 2, -1);

    expect({ a: Array.from(stats.a), b: Array.from(stats.b), n: stats.n, sumSq: stats.sumSq }).toEqual(
      before,
    );
  });
});

describe("estimatePolicyValue against NumPy", () => {
  it("gives the reference IPS, SNIPS and doubly-robust estimates with standard errors", () => {
    const predictor = fitRewardPredictor(samples, golden.ridge);

    const result = estimatePolicyValue(
      samples,
      golden.samples.map((s) => s.target),
      predictor,
    );

    expect(result.ips.value).toBeCloseTo(golden.ips.value, 9);
    expect(result.ips.stdError).toBeCloseTo(golden.ips.std_error, 9);
    expect(result.snips).toBeCloseTo(golden.snips, 9);
    expect(result.dr.value).toBeCloseTo(golden.dr.value, 9);
    expect(result.dr.stdError).toBeCloseTo(golden.dr.std_error, 9);
    expect(result.matchRate).toBeCloseTo(golden.match_rate, 12);
  });

  it("rejects a target of the wrong length", () => {
    const predictor = fitRewardPredictor(samples, 1);

    expect(() => estimatePolicyValue(samples, ["notify"], predictor)).toThrow(/target has 1 actions for 400/);
  });
});
