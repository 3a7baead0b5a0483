import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  computeChartCurves,
  computePrCurve,
  computeRocCurve,
  downsampleCurve,
} from "../../src/evaluation/curves.js";

interface CurveCase {
  name: string;
  n_classes: number;
  y_true: number[];
  probabilities: number[];
  roc_curve_full: { fpr: number[]; tpr: number[]; thresholds: number[] };
  roc_curve: { fpr: number[]; tpr: number[]; thresholds: number[] };
  pr_curve: { precision: number[]; recall: number[]; thresholds: number[] };
}

const golden = JSON.parse(
  readFileSync(new URL("../fixtures/evaluation/metrics-golden.json", import.meta.url), "utf8"),
) as { classification: CurveCase[] };

/** The last class against the rest, as the metrics score a binary task. */
function positiveAndScores(c: CurveCase): { positive: number[]; scores: number[] } {
  const k = c.n_classes;
  return {
    positive: c.y_true.map((y) => (y === k - 1 ? 1 : 0)),
    scores: c.y_true.map((_, i) => c.probabilities[i * k + k - 1]!),
  };
}

function expectArrayClose(actual: ArrayLike<number>, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i]!, 12);
}

describe("curves against scikit-learn", () => {
  it.each(golden.classification)("$name: full ROC curve (drop_intermediate=False)", (c) => {
    const { positive, scores } = positiveAndScores(c);
    const curve = computeRocCurve(positive, scores, false);
    expectArrayClose(curve.fpr, c.roc_curve_full.fpr);
    expectArrayClose(curve.tpr, c.roc_curve_full.tpr);
    expectArrayClose(curve.thresholds.subarray(1), c.roc_curve_full.thresholds);
    expect(curve.thresholds[0]).toBe(Infinity);
  });

  it.each(golden.classification)("$name: ROC curve with collinear points dropped", (c) => {
    const { positive, scores } = positiveAndScores(c);
    const curve = computeRocCurve(positive, scores);
    expectArrayClose(curve.fpr, c.roc_curve.fpr);
    expectArrayClose(curve.tpr, c.roc_curve.tpr);
    expectArrayClose(curve.thresholds.subarray(1), c.roc_curve.thresholds);
  });

  it.each(golden.classification)("$name: precision-recall curve", (c) => {
    const { positive, scores } = positiveAndScores(c);
    const curve = computePrCurve(positive, scores);
    expectArrayClose(curve.precision, c.pr_curve.precision);
    expectArrayClose(curve.recall, c.pr_curve.recall);
    expectArrayClose(curve.thresholds, c.pr_curve.thresholds);
  });

  it("refuses a ROC curve with one class present", () => {
    expect(() => computeRocCurve([0, 0], [0.1, 0.2])).toThrow(
      /ROC curve is undefined: y_true holds only negative rows/,
    );
  });
});

describe("downsampleCurve", () => {
  it.each([
    [10, 50, 10],
    [51, 50, 50],
    [1000, 50, 50],
    [1000, 7, 7],
  ])("keeps %i points within a budget of %i as %i points, both ends included", (n, max, expected) => {
    const x = Float64Array.from({ length: n }, (_, i) => i / (n - 1));
    const y = Float64Array.from(x, (v) => v * v);
    const points = downsampleCurve(x, y, max);
    expect(points.x).toHaveLength(expected);
    expect(points.x[0]).toBe(0);
    expect(points.x.at(-1)).toBe(1);
    expect(points.y).toEqual(points.x.map((v) => v * v));
    for (let i = 1; i < points.x.length; i++) expect(points.x[i]!).toBeGreaterThan(points.x[i - 1]!);
  });
});

describe("computeChartCurves", () => {
  it.each(golden.classification)(
    "$name: one small curve pair per scored class, ending where scikit-learn's do",
    (c) => {
      const curves = computeChartCurves(c.y_true, c.probabilities, c.n_classes);
      expect(curves.map((x) => x.classIndex)).toEqual(
        c.n_classes === 2 ? [1] : Array.from({ length: c.n_classes }, (_, k) => k),
      );
      const last = curves.find((x) => x.classIndex === c.n_classes - 1)!;
      expect(last.roc.x.length).toBeLessThanOrEqual(50);
      expect(last.pr.x.length).toBeLessThanOrEqual(50);
      expect([last.roc.x[0], last.roc.y[0], last.roc.x.at(-1), last.roc.y.at(-1)]).toEqual([0, 0, 1, 1]);
      // PR points run by increasing recall: scikit-learn's curve reversed.
      expect(last.pr.x[0]).toBe(0);
      expect(last.pr.y.at(-1)).toBeCloseTo(c.pr_curve.precision[0]!, 12);
    },
  );

  it("leaves out a class whose curve is undefined", () => {
    const curves = computeChartCurves([0, 0, 1, 1], [0.5, 0.5, 0, 0.7, 0.3, 0, 0.2, 0.8, 0, 0.1, 0.9, 0], 3);
    expect(curves.map((x) => x.classIndex)).toEqual([0, 1]);
  });
});
