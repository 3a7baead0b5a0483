import { describe, expect, it } from "vitest";
import { Checks } from "../../src/config/environment.js";
import { analyseChecks, type CheckWindow } from "../../src/deploy/checks.js";
import { chooseRole, computeStickyBucket } from "../../src/deploy/route.js";

const checks = Checks.parse({
  error_rate: { max: 0.05 },
  latency_p99: { max_ms: 100 },
  drift: { alpha: 0.01, window: 100, min_samples: 50 },
  accuracy: { min: 0.8, min_samples: 10 },
  min_requests: 20,
});
const healthy: CheckWindow = {
  requests: 100,
  errors: 1,
  latencyP99Ms: 20,
  drift: { rows: 100, pValues: { a: 0.5, b: 0.2 } },
  accuracy: { correct: 9, total: 10 },
};

describe("analyseChecks", () => {
  it.each([
    ["healthy", healthy, "pass", []],
    ["too few requests", { ...healthy, requests: 19 }, "insufficient", []],
    ["error rate above max", { ...healthy, errors: 6 }, "fail", ["error_rate"]],
    ["slow p99", { ...healthy, latencyP99Ms: 150 }, "fail", ["latency_p99"]],
    // Bonferroni: alpha 0.01 over 2 features is 0.005 per feature.
    [
      "drift below alpha/features",
      { ...healthy, drift: { rows: 100, pValues: { a: 0.004, b: 0.9 } } },
      "fail",
      ["drift"],
    ],
    [
      "drift between alpha/features and alpha",
      { ...healthy, drift: { rows: 100, pValues: { a: 0.006, b: 0.9 } } },
      "pass",
      [],
    ],
    ["drift with too few rows", { ...healthy, drift: { rows: 49, pValues: { a: 1e-9 } } }, "pass", []],
    ["low accuracy", { ...healthy, accuracy: { correct: 7, total: 10 } }, "fail", ["accuracy"]],
    ["low accuracy on too few labels", { ...healthy, accuracy: { correct: 0, total: 9 } }, "pass", []],
  ] as const)("%s → %s", (_name, window, status, failed) => {
    const analysis = analyseChecks(checks, window);
    expect(analysis.status).toBe(status);
    expect(analysis.results.filter((r) => !r.passed).map((r) => r.check)).toEqual(failed);
  });

  it("names the most drifted feature", () => {
    const analysis = analyseChecks(checks, {
      ...healthy,
      drift: { rows: 100, pValues: { a: 0.3, b: 1e-6 } },
    });
    expect(analysis.results.find((r) => r.check === "drift")).toMatchObject({
      feature: "b",
      value: 1e-6,
      threshold: 0.005,
    });
  });
});

describe("chooseRole", () => {
  it.each([
    [0, 0.99, "stable"],
    [100, 0, "candidate"],
    [25, 0.2499, "candidate"],
    [25, 0.25, "stable"],
  ] as const)("weight %i, draw %f → %s", (weight, draw, role) => {
    expect(chooseRole(weight, undefined, draw)).toBe(role);
  });

  it("keeps a sticky caller on the candidate as the weight grows", () => {
    // Arrange: 2,000 keys.
    const keys = Array.from({ length: 2000 }, (_, i) => `user-${i}`);
    // Act
    const at = (w: number) => new Set(keys.filter((k) => chooseRole(w, k, 0.99) === "candidate"));
    const at10 = at(10);
    const at50 = at(50);
    // Assert: roughly the weight, and a superset at the larger weight.
    expect(at10.size / keys.length).toBeGreaterThan(0.07);
    expect(at10.size / keys.length).toBeLessThan(0.13);
    expect([...at10].every((k) => at50.has(k))).toBe(true);
    expect(chooseRole(10, "user-1", 0)).toBe(chooseRole(10, "user-1", 0.99));
  });

  it("spreads keys evenly over the buckets", () => {
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) counts[Math.floor(computeStickyBucket(`k${i}`) / 10)]!++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
  });
});
