import { describe, expect, it } from "vitest";
import { createRandom } from "../../src/common/random.js";
import { fitRewardModels } from "../../src/decision/bandit.js";
import {
  buildEvaluationSamples,
  computeLearnedActions,
  estimatePolicyValue,
  fitRewardPredictor,
} from "../../src/decision/off-policy.js";
import { resolvePolicy } from "../../src/decision/policy-spec.js";
import { foldDecisionLog } from "../../src/decision/policy-state.js";
import { expectedReward, simulateEngine, type SimulationStep } from "../../src/decision/simulator.js";

const policy = resolvePolicy({ bandit: { enabled: true } });
const STEPS = 3000;

function sum(steps: readonly SimulationStep[], f: (s: SimulationStep) => number): number {
  return steps.reduce((acc, s) => acc + f(s), 0);
}

describe.each([1, 2, 3])("the engine on the simulator, seed %i", (seed) => {
  const run = simulateEngine({
    policy,
    steps: STEPS,
    world: createRandom(seed),
    agent: createRandom(1000 + seed),
  });

  it("learns: its regret per incident falls, and ends well below the baseline's", () => {
    const regret = (s: SimulationStep): number => s.bestValue - s.chosenValue;
    const baselineRegret = (s: SimulationStep): number => s.bestValue - s.baselineValue;
    const first = run.steps.slice(0, 500);
    const last = run.steps.slice(-1000);

    expect(sum(last, regret) / last.length).toBeLessThan(0.8 * (sum(first, regret) / first.length));
    expect(sum(last, regret)).toBeLessThan(0.6 * sum(last, baselineRegret));
  });

  it("is safe: its cumulative reward is at least 0.9x the baseline's at every checkpoint", () => {
    let policyTotal = 0;
    let baselineTotal = 0;
    const ratios: number[] = [];

    run.steps.forEach((s, i) => {
      policyTotal += s.chosenValue;
      baselineTotal += s.baselineValue;
      if ((i + 1) % 100 === 0) ratios.push(policyTotal / baselineTotal);
    });

    expect(baselineTotal).toBeGreaterThan(0);
    expect(ratios).toHaveLength(STEPS / 100);
    expect(Math.min(...ratios)).toBeGreaterThanOrEqual(0.9);
  });

  it("only ever takes actions inside the guardrails' mask", () => {
    expect(run.steps.filter((s) => !s.mask.includes(s.action))).toEqual([]);
  });
});

describe.each([1, 2])("doubly-robust evaluation on the simulator, seed %i", (seed) => {
  it("estimates the learned policy's value within ±5% of the true value from a log with exploration", () => {
    // Learn a policy, then log 4000 incidents with it frozen (10% exploration) and evaluate it offline.
    const logging = resolvePolicy({ bandit: { enabled: true, exploration: 0.1 } });
    const train = simulateEngine({
      policy: logging,
      steps: 2000,
      world: createRandom(seed),
      agent: createRandom(seed + 7),
    });
    const run = simulateEngine({
      policy: logging,
      steps: 4000,
      world: createRandom(seed + 100),
      agent: createRandom(seed + 200),
      models: fitRewardModels(train.state),
    });
    const state = foldDecisionLog(run.log, {
      policy: logging,
      now: new Date(run.end.getTime() + 86_400_000),
    });
    const samples = buildEvaluationSamples(state);
    const scenario = new Map(run.steps.map((s) => [s.decisionId, s.scenario]));
    const settled = state.decisions.filter((d) => d.reward !== undefined);
    const target = computeLearnedActions(train.state, samples);

    const estimate = estimatePolicyValue(samples, target, fitRewardPredictor(samples, logging.bandit.ridge));

    const truth =
      settled.reduce(
        (acc, d, i) => acc + expectedReward(scenario.get(d.record.id)!, target[i]!, logging.reward),
        0,
      ) / settled.length;
    const logged = samples.reduce((acc, s) => acc + s.reward, 0) / samples.length;
    expect(samples.length).toBe(4000);
    expect(Math.abs(estimate.dr.value - truth)).toBeLessThanOrEqual(0.05 * Math.abs(truth));
    // The naive mean of logged rewards is off by the cost of exploration; DR corrects for it.
    expect(Math.abs(estimate.dr.value - truth)).toBeLessThan(Math.abs(logged - truth));
  });
});
