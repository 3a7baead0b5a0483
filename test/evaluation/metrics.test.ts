import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DataError } from "../../src/common/errors.js";
import { computeBinaryRocAuc } from "../../src/common/statistics/roc-auc.js";
import {
  CLASSIFICATION_METRICS,
  computeClassificationMetrics,
  computeLogLoss,
  computeR2,
  computeRegressionMetrics,
  computeRocAuc,
  REGRESSION_METRICS,
} from "../../src/evaluation/metrics.js";

interface ClassificationCase {
  name: string;
  n_classes: number;
  y_true: number[];
  probabilities: number[];
  y_pred: number[];
  expected: Record<string, number>;
  confusion_matrix: number[][];
}

interface RegressionCase {
  name: string;
  y_true: number[];
  y_pred: number[];
  expected: Record<string, number>;
}

const golden = JSON.parse(
  readFileSync(new URL("../fixtures/evaluation/metrics-golden.json", import.meta.url), "utf8"),
) as { classification: ClassificationCase[]; regression: RegressionCase[] };

/** Relative-or-absolute closeness: float64 sums in another order differ in the last bits. */
function expectClose(actual: number | undefined, expected: number, name: string): void {
  expect(actual, name).toBeDefined();
  expect(Math.abs(actual! - expected), name).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
}

describe("computeClassificationMetrics against scikit-learn", () => {
  const rows = golden.classification.flatMap((c) =>
    CLASSIFICATION_METRICS.map((metric) => [c.name, metric, c] as const),
  );

  it.each(rows)("%s: %s", (_name, metric, c) => {
    // Arrange
    const input = {
      yTrue: c.y_true,
      probabilities: Float64Array.from(c.probabilities),
      nClasses: c.n_classes,
    };
    // Act
    const result = computeClassificationMetrics(input);
    // Assert
    expectClose(result.values[metric], c.expected[metric]!, metric);
  });

  it.each(golden.classification)("$name: confusion matrix and argmax predictions", (c) => {
    const result = computeClassificationMetrics({
      yTrue: c.y_true,
      probabilities: c.probabilities,
      nClasses: c.n_classes,
    });
    expect(result.confusionMatrix).toEqual(c.confusion_matrix);
    expect(result.unavailable).toEqual({});
  });

  it("uses the predictions it is given instead of the argmax", () => {
    const c = golden.classification[0]!;
    const flipped = c.y_pred.map((p) => 1 - p);
    const result = computeClassificationMetrics({
      yTrue: c.y_true,
      probabilities: c.probabilities,
      nClasses: 2,
      predictions: flipped,
    });
    expectClose(result.values.accuracy, 1 - c.expected.accuracy!, "accuracy");
  });
});

describe("computeRegressionMetrics against scikit-learn", () => {
  const rows = golden.regression.flatMap((c) =>
    REGRESSION_METRICS.map((metric) => [c.name, metric, c] as const),
  );

  it.each(rows)("%s: %s", (_name, metric, c) => {
    const result = computeRegressionMetrics(c.y_true, c.y_pred);
    expectClose(result.values[metric], c.expected[metric]!, metric);
  });
});

describe("degenerate inputs never yield NaN", () => {
  it("reports ROC AUC, PR AUC as unavailable when y_true holds one class", () => {
    const probabilities = [0.9, 0.1, 0.6, 0.4, 0.2, 0.8];
    const result = computeClassificationMetrics({ yTrue: [0, 0, 0], probabilities, nClasses: 2 });
    expect(result.values.roc_auc).toBeUndefined();
    expect(result.unavailable.roc_auc).toMatch(/ROC AUC is undefined: only one class is present in y_true/);
    expect(result.unavailable.pr_auc).toMatch(/no positive row/);
    expect(Object.values(result.values).every(Number.isFinite)).toBe(true);
    expect(result.values.accuracy).toBeCloseTo(2 / 3, 15);
  });

  it("throws a clear error from the single metric", () => {
    expect(() => computeBinaryRocAuc([1, 1, 1], [0.2, 0.3, 0.4])).toThrow(DataError);
    expect(() => computeRocAuc([0, 1, 1], [0.5, 0.3, 0.2, 0.6, 0.1, 0.2, 0.7, 0.1, 0.2], 3)).toThrow(
      /class code 0 has no rows|class code 2 has no rows/,
    );
  });

  it.each([
    ["NaN probability", [0.5, Number.NaN], /probability NaN at row 1, class 1/],
    ["probability above 1", [1.5, -0.5], /probability 1.5 at row 1, class 0/],
    ["wrong size", [0.5, 0.5, 0.5], /expected 1 × 2 = 2 probabilities, got 3/],
  ])("rejects %s", (_what, probabilities, message) => {
    expect(() => computeClassificationMetrics({ yTrue: [1], probabilities, nClasses: 2 })).toThrow(message);
  });

  it("rejects a class code out of range, naming the row", () => {
    expect(() => computeLogLoss([0, 2], [0.5, 0.5, 0.5, 0.5], 2)).toThrow(/y_true: value 2 at row 2/);
  });

  it("scores a constant target R² as scikit-learn's force_finite does and refuses one row", () => {
    expect(computeR2([2, 2, 2], [2, 2, 2])).toBe(1);
    expect(computeR2([2, 2, 2], [2, 2, 3])).toBe(0);
    const result = computeRegressionMetrics([4], [3]);
    expect(result.values.r2).toBeUndefined();
    expect(result.unavailable.r2).toMatch(/fewer than 2 rows/);
    expect(result.values.mae).toBe(1);
  });

  it("rejects a non-finite prediction, naming the row", () => {
    expect(() => computeRegressionMetrics([1, 2], [1, Number.POSITIVE_INFINITY])).toThrow(
      /y_pred: value Infinity at row 2 is not a finite number/,
    );
  });
});
