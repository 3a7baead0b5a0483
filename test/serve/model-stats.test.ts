/**
 * The server's sliding drift window and latency p99 against SciPy/NumPy
 * goldens (test/fixtures/serve/generate.py).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ReferenceProfile } from "../../src/monitoring/profile/profile.js";
import {
  computeDriftPValues,
  computeLatencyP99,
  createModelStats,
  recordInputs,
  recordOutcome,
} from "../../src/serve/model-stats.js";

interface DriftCase {
  name: string;
  edges: number[];
  reference_counts: number[];
  window: number;
  stream: (number | null)[];
  expected_counts: number[];
  expected_missing: number;
  expected_p_value: number;
}
const golden = JSON.parse(
  readFileSync(new URL("../fixtures/serve/drift-window.json", import.meta.url), "utf8"),
) as {
  drift: DriftCase[];
  latency: { values_ms: number[]; expected_p99_ms: number };
};

function profileOf(c: DriftCase): ReferenceProfile {
  const count = c.reference_counts.reduce((s, n) => s + n, 0);
  return {
    version: 1,
    n_rows: count,
    columns: [
      {
        kind: "numeric",
        name: "f",
        count,
        null_count: 0,
        mean: 0,
        m2: 0,
        min: null,
        max: null,
        sketch: "",
        bin_edges: c.edges,
        bin_counts: c.reference_counts,
        values: null,
        value_counts: null,
      },
    ],
  };
}

describe("drift window", () => {
  it.each(golden.drift.map((c) => [c.name, c] as const))("%s: counts and p-value match SciPy", (_name, c) => {
    // Arrange
    const stats = createModelStats(profileOf(c), c.window);
    const values = Float32Array.from(c.stream, (v) => (v === null ? Number.NaN : v));
    // Act: requests of 7 rows, so the ring wraps across requests.
    for (let start = 0; start < values.length; start += 7) {
      const chunk = values.subarray(start, Math.min(values.length, start + 7));
      recordInputs(stats, { f: chunk }, chunk.length);
    }
    const { pValues } = computeDriftPValues(stats);
    // Assert
    const feature = stats.features[0]!;
    expect(Array.from(feature.counts)).toEqual(c.expected_counts);
    expect(feature.missingInWindow).toBe(c.expected_missing);
    expect(pValues.f).toBeCloseTo(c.expected_p_value, 8);
  });
});

it("computes p99 as NumPy's inverted-CDF percentile", () => {
  const stats = createModelStats({ version: 1, n_rows: 0, columns: [] }, 10);
  for (const ms of golden.latency.values_ms) recordOutcome(stats, ms, false);
  expect(computeLatencyP99(stats)).toBe(golden.latency.expected_p99_ms);
  expect(stats.requests).toBe(golden.latency.values_ms.length);
});
