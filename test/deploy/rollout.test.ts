import { describe, expect, it } from "vitest";
import type { CheckAnalysis } from "../../src/deploy/checks.js";
import {
  MAX_HISTORY,
  startRollout,
  stepRollout,
  type RolloutObservation,
  type RolloutPlan,
  type RolloutState,
} from "../../src/deploy/rollout.js";

const canary: RolloutPlan = {
  type: "canary",
  steps: [10, 25, 50, 100],
  intervalMs: 1000,
  maxFailedChecks: 2,
};
const pass: CheckAnalysis = { status: "pass", requests: 20, results: [] };
const fail: CheckAnalysis = {
  status: "fail",
  requests: 20,
  results: [{ check: "error_rate", value: 0.5, threshold: 0.02, direction: "above", passed: false }],
};
const quiet: CheckAnalysis = { status: "insufficient", requests: 3, results: [] };

function run(plan: RolloutPlan, script: readonly [number, RolloutObservation][]) {
  let { state, effects } = startRollout(plan, true, 0);
  const all = [...effects];
  for (const [at, observation] of script) {
    ({ state, effects } = stepRollout(state, observation, at));
    all.push(...effects);
  }
  return { state, effects: all };
}

describe("startRollout", () => {
  it.each([
    ["simple", "completed", 100, ["rollout.completed"]],
    ["blue-green", "progressing", 0, []],
    ["canary", "progressing", 10, []],
  ] as const)("%s starts %s at %i%%", (type, phase, weight, effects) => {
    // Arrange
    const plan = { ...canary, type };
    // Act
    const started = startRollout(plan, true, 5);
    // Assert
    expect(started.state.phase).toBe(phase);
    expect(started.state.candidateWeight).toBe(weight);
    expect(started.effects.map((e) => e.type)).toEqual(effects);
  });

  it("serves stable alone without a candidate", () => {
    const { state, effects } = startRollout(canary, false, 0);
    expect([state.phase, state.candidateWeight, effects.length]).toEqual(["idle", 0, 0]);
  });
});

describe("canary", () => {
  it("steps through every weight, holding each for the interval, then completes", () => {
    // Arrange: a passing analysis and a tick after each interval.
    const script: [number, RolloutObservation][] = [];
    for (let s = 0; s < 4; s++) {
      script.push([s * 1000 + 500, { type: "analysis", analysis: pass }]);
      script.push([(s + 1) * 1000, { type: "tick" }]);
    }
    // Act
    const { state, effects } = run(canary, script);
    // Assert
    expect(state.history.map((h) => h.weight)).toEqual([10, 25, 50, 100, 100]);
    expect(state.phase).toBe("completed");
    expect(effects.map((e) => e.type)).toEqual(["rollout.completed"]);
  });

  it.each([
    ["a tick before the interval", [[999, { type: "tick" }]]],
    ["a tick without a passing analysis", [[5000, { type: "tick" }]]],
    ["an insufficient analysis", [[5000, { type: "analysis", analysis: quiet }]]],
    [
      "a passing analysis then an early tick",
      [
        [100, { type: "analysis", analysis: pass }],
        [900, { type: "tick" }],
      ],
    ],
  ] as const)("holds its step after %s", (_name, script) => {
    const { state } = run(canary, script as unknown as [number, RolloutObservation][]);
    expect([state.step, state.candidateWeight, state.phase]).toEqual([0, 10, "progressing"]);
  });

  it("aborts to weight 0 on the max_failed_checks-th failed analysis and says why", () => {
    // Act
    const one = run(canary, [[100, { type: "analysis", analysis: fail }]]);
    const two = run(canary, [
      [100, { type: "analysis", analysis: fail }],
      [200, { type: "analysis", analysis: fail }],
    ]);
    // Assert
    expect([one.state.phase, one.state.candidateWeight, one.effects.length]).toEqual(["progressing", 10, 0]);
    expect([two.state.phase, two.state.candidateWeight]).toEqual(["aborted", 0]);
    expect(two.effects).toEqual([
      { type: "rollout.aborted", reason: "2 failed analyses (error_rate)", failed: fail.results },
    ]);
  });

  it("ignores analyses and ticks once aborted or completed", () => {
    const aborted = run(canary, [[1, { type: "abort", reason: "operator" }]]).state;
    for (const state of [aborted, run({ ...canary, type: "simple" }, []).state] as RolloutState[]) {
      const next = stepRollout(state, { type: "analysis", analysis: pass }, 10_000);
      expect(next).toEqual({ state, effects: [] });
    }
  });
});

describe("blue-green", () => {
  const plan: RolloutPlan = { ...canary, type: "blue-green" };
  it("switches 0 → 100 at once when the interval held a passing analysis", () => {
    const { state, effects } = run(plan, [
      [300, { type: "analysis", analysis: pass }],
      [1000, { type: "tick" }],
    ]);
    expect(state.history.map((h) => h.weight)).toEqual([0, 100]);
    expect(effects.map((e) => e.type)).toEqual(["rollout.completed"]);
  });

  it("switches on promote before the interval, and back on abort", () => {
    const promoted = run(plan, [[1, { type: "promote" }]]);
    const back = stepRollout(promoted.state, { type: "abort", reason: "manual" }, 2);
    expect(promoted.state.candidateWeight).toBe(100);
    expect([back.state.candidateWeight, back.effects[0]?.type]).toEqual([0, "rollout.aborted"]);
  });
});

it("keeps at most MAX_HISTORY history lines", () => {
  let { state } = startRollout(canary, true, 0);
  for (let i = 0; i < MAX_HISTORY + 20; i++) {
    ({ state } = stepRollout(state, { type: "analysis", analysis: { ...fail } }, i));
    state = { ...state, phase: "progressing", failedChecks: 0 };
  }
  expect(state.history).toHaveLength(MAX_HISTORY);
});
