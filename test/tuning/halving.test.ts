import { describe, expect, it } from "vitest";
import { buildHalvingPlan, type TrialBudget } from "../../src/tuning/halving.js";
import { buildSearchSpace, type Params } from "../../src/tuning/space.js";
import { runStudy } from "../../src/tuning/study.js";

describe("buildHalvingPlan", () => {
  it.each([
    { n: 27, min: 10, max: 270, counts: [27, 9, 3, 1], resources: [10, 30, 90, 270] },
    { n: 10, min: 1, max: 1000, counts: [10, 4, 2], resources: [111, 333, 1000] },
    { n: 50, min: 100, max: 300, counts: [50, 17], resources: [100, 300] },
    { n: 1, min: 5, max: 500, counts: [1], resources: [500] },
  ])("$n candidates from $min to $max", ({ n, min, max, counts, resources }) => {
    const rungs = buildHalvingPlan(n, min, max);
    expect(rungs.map((r) => r.count)).toEqual(counts);
    expect(rungs.map((r) => r.resource)).toEqual(resources);
    expect(rungs.map((r) => r.start)).toEqual(
      counts.map((_, i) => counts.slice(0, i).reduce((a, b) => a + b, 0)),
    );
  });

  it.each([
    { min: 0, max: 10, message: /min_resource must be an integer >= 1, got 0/ },
    { min: 20, max: 10, message: /max_resource \(10\) must be an integer >= min_resource \(20\)/ },
  ])("rejects min $min, max $max", ({ min, max, message }) => {
    expect(() => buildHalvingPlan(9, min, max)).toThrow(message);
  });
});

describe("runStudy with successive halving", () => {
  it("promotes the best third of each rung to three times the budget", async () => {
    // Arrange: the score rises with x and with the budget, so promotions are predictable.
    const space = buildSearchSpace({ x: { type: "float", low: 0, high: 1 } });
    const seen: { params: Params; budget: TrialBudget | undefined }[] = [];

    // Act
    const result = await runStudy({
      space,
      sampler: { type: "halving", resource: "rows", minResource: 100, maxResource: 900 },
      nTrials: 9,
      direction: "maximize",
      seed: 4,
      objective: (params, budget) => {
        seen.push({ params, budget });
        return Promise.resolve((params.x as number) + (budget?.value ?? 0) / 1000);
      },
      concurrency: 3,
    });

    // Assert
    const rung = (value: number) => result.trials.filter((t) => t.budget?.value === value);
    expect(result.trials.map((t) => t.budget?.value)).toEqual([
      100, 100, 100, 100, 100, 100, 100, 100, 100, 300, 300, 300, 900,
    ]);
    const topThree = [...rung(100)]
      .sort((a, b) => b.score - a.score)
      .slice(0, 3)
      .map((t) => t.params);
    expect(rung(300).map((t) => t.params)).toEqual(topThree);
    expect(rung(900)[0]!.params).toEqual(topThree[0]);
    expect(result.best).toBe(rung(900)[0]);
    expect(seen.every((s) => s.budget?.resource === "rows")).toBe(true);
  });

  it("uses every grid point as a candidate when asked", async () => {
    const space = buildSearchSpace({ max_depth: [2, 4, 6, null], learning_rate: [0.05, 0.1] });
    const result = await runStudy({
      space,
      sampler: {
        type: "halving",
        resource: "n_estimators",
        minResource: 20,
        maxResource: 180,
        candidates: "grid",
      },
      nTrials: 1,
      direction: "minimize",
      seed: 4,
      objective: (p) =>
        Promise.resolve((p.max_depth === null ? 9 : (p.max_depth as number)) * (p.learning_rate as number)),
    });
    // 8 candidates allow one halving, so the first rung gets 180 / 3 rounds.
    expect(result.trials.filter((t) => t.budget?.value === 60)).toHaveLength(8);
    expect(result.trials.filter((t) => t.budget?.value === 180)).toHaveLength(3);
    expect(result.best?.params).toEqual({ learning_rate: 0.05, max_depth: 2 });
    expect(result.best?.budget).toEqual({ resource: "n_estimators", value: 180 });
  });
});
