/**
 * The regression prediction histogram in /metrics: which bucket a value
 * lands in (Prometheus buckets are `value <= le`), NaN and infinities
 * counted apart instead of thrown, classifier scores in their own histogram, and bucket
 * layouts that could not sum across replicas refused.
 */
import { describe, expect, it } from "vitest";
import {
  createServerMetrics,
  observePredictions,
  PREDICTION_VALUE_BUCKETS,
  type ServerMetrics,
} from "../../src/serve/metrics.js";

const labels = { model: "price", version: "v3", role: "candidate" };

async function scrape(metrics: ServerMetrics): Promise<Map<string, number>> {
  const series = new Map<string, number>();
  for (const line of (await metrics.registry.metrics()).split("\n")) {
    const match = /^(meta_controller_prediction_(?:value|score)_\w+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (match === null) continue;
    const le = /(?:^|,)le="([^"]*)"/.exec(match[2] ?? "")?.[1];
    series.set(le === undefined ? match[1]! : `${match[1]!}:${le}`, Number(match[3]));
  }
  return series;
}

describe("observePredictions", () => {
  it.each([
    // values, le, expected cumulative count at le
    [[0.5, 1, 1.0000001], "1", 2],
    [[-3, -2, 0, 0.009], "-2", 2],
    [[-3, -2, 0, 0.009], "0", 3],
    [[-3, -2, 0, 0.009], "0.01", 4],
    [[2e6, 999_999, 1e6], "1000000", 2],
    [[2e6, 999_999, 1e6], "+Inf", 3],
    // A value above every bound is counted at +Inf only, never at the bound -1.
    [[2e6, -1.5], "-1", 1],
    [[3e38, -1.5], "1000000", 1],
  ])("values %j: %s bucket holds %i", async (values, le, expected) => {
    // Arrange
    const metrics = createServerMetrics(() => []);

    // Act
    observePredictions(
      metrics,
      labels,
      { task: "regression", values: Float32Array.from(values) },
      values.length,
    );

    // Assert
    const series = await scrape(metrics);
    expect(series.get(`meta_controller_prediction_value_bucket:${le}`)).toBe(expected);
    expect(series.get("meta_controller_prediction_value_count")).toBe(values.length);
  });

  it("counts NaN and infinite predictions apart, and sums the rest over requests", async () => {
    // Arrange
    const metrics = createServerMetrics(() => []);
    const first = Float32Array.from([1.5, Number.NaN, 2.5]);
    const second = Float32Array.from([Number.POSITIVE_INFINITY, -4]);

    // Act
    observePredictions(metrics, labels, { task: "regression", values: first }, 3);
    observePredictions(metrics, labels, { task: "regression", values: second }, 2);

    // Assert
    const series = await scrape(metrics);
    expect(series.get("meta_controller_prediction_value_non_finite_total")).toBe(2);
    expect(series.get("meta_controller_prediction_value_count")).toBe(3);
    expect(series.get("meta_controller_prediction_value_sum")).toBe(0);
  });

  it("reads only the request's rows of a longer output buffer", async () => {
    // Arrange
    const metrics = createServerMetrics(() => []);

    // Act
    observePredictions(metrics, labels, { task: "regression", values: Float32Array.from([1, 2, 3, 4]) }, 2);

    // Assert
    expect((await scrape(metrics)).get("meta_controller_prediction_value_count")).toBe(2);
  });

  it("counts a classifier's probability of the last class into the score histogram, not the value one", async () => {
    // Arrange
    const metrics = createServerMetrics(() => []);
    // Scores that float32 holds exactly, on bucket edges (a value equal to le is in that bucket).
    const probabilities = Float32Array.from([0.75, 0.25, 0.5, 0.5, 0.25, 0.75, 0, 1]);

    // Act: three rows of a four-row buffer.
    observePredictions(
      metrics,
      labels,
      { task: "classification", labels: [0, 1, 0], probabilities, nClasses: 2 },
      3,
    );

    // Assert: buckets are 0.05 apart, value <= le.
    const series = await scrape(metrics);
    expect(series.has("meta_controller_prediction_value_count")).toBe(false);
    expect(series.get("meta_controller_prediction_score_count")).toBe(3);
    expect(series.get("meta_controller_prediction_score_sum")).toBe(1.5);
    expect(series.get("meta_controller_prediction_score_bucket:0.2")).toBe(0);
    expect(series.get("meta_controller_prediction_score_bucket:0.25")).toBe(1);
    expect(series.get("meta_controller_prediction_score_bucket:0.7")).toBe(2);
    expect(series.get("meta_controller_prediction_score_bucket:0.75")).toBe(3);
    expect(series.get("meta_controller_prediction_score_bucket:+Inf")).toBe(3);
  });

  it("uses the buckets the server is given", async () => {
    // Arrange
    const metrics = createServerMetrics(() => [], { predictionBuckets: [100, 200] });

    // Act
    observePredictions(metrics, labels, { task: "regression", values: Float32Array.from([150, 250]) }, 2);

    // Assert
    const series = await scrape(metrics);
    expect(series.get("meta_controller_prediction_value_bucket:100")).toBe(0);
    expect(series.get("meta_controller_prediction_value_bucket:200")).toBe(1);
    expect(series.has("meta_controller_prediction_value_bucket:1")).toBe(false);
  });

  it.each([[[1, 1]], [[2, 1]], [[0, Number.POSITIVE_INFINITY]], [[Number.NaN]]])(
    "refuses buckets %j",
    (buckets) => {
      expect(() => createServerMetrics(() => [], { predictionBuckets: buckets })).toThrow(
        /finite and strictly increasing/,
      );
    },
  );

  it("has default buckets symmetric around 0 at 1, 2, 5 per decade", () => {
    const positive = PREDICTION_VALUE_BUCKETS.filter((b) => b > 0);
    expect(
      PREDICTION_VALUE_BUCKETS.filter((b) => b < 0)
        .map((b) => -b)
        .reverse(),
    ).toEqual(positive);
    expect(positive.slice(0, 4)).toEqual([0.01, 0.02, 0.05, 0.1]);
    expect(positive[positive.length - 1]).toBe(1e6);
  });
});
