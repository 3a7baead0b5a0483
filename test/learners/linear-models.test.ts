import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DataError } from "../../src/common/errors.js";
import { fitLinearRegression } from "../../src/learners/linear-regression.js";
import { fitLogisticRegression } from "../../src/learners/logistic-regression.js";
import type { FeatureMatrix, LinearModel } from "../../src/learners/model.js";

interface LogisticCase {
  name: string;
  C: number;
  n_classes: number;
  X: number[][];
  y: number[];
  coef: number[];
  intercept: number[];
  proba: number[][];
}

interface RidgeCase {
  name: string;
  alpha: number;
  fit_intercept: boolean;
  X: number[][];
  y: number[];
  coef: number[];
  intercept: number;
  prediction: number[];
}

const golden = JSON.parse(
  readFileSync(new URL("../fixtures/learners-linear/golden.json", import.meta.url), "utf8"),
) as { logistic: LogisticCase[]; ridge: RidgeCase[] };

function toMatrix(columns: number[][]): FeatureMatrix {
  return {
    nRows: columns[0]?.length ?? 0,
    columns: columns.map((c) => Float64Array.from(c)),
    names: columns.map((_, j) => `x${j}`),
  };
}

/** Class probabilities of a linear model, written from the contract in model.ts. */
function probabilities(model: LinearModel, x: FeatureMatrix, row: number): number[] {
  const k = model.intercepts.length;
  const scores = Array.from({ length: k }, (_, o) => {
    let s = model.intercepts[o]!;
    for (let j = 0; j < model.nFeatures; j++)
      s += model.coefficients[o * model.nFeatures + j]! * x.columns[j]![row]!;
    return s;
  });
  if (k === 1) {
    const p = 1 / (1 + Math.exp(-scores[0]!));
    return [1 - p, p];
  }
  const max = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const logisticCases = golden.logistic.flatMap((c) =>
  (["lbfgs", "newton"] as const).map((solver) => ({ ...c, solver, label: `${c.name}, ${solver}` })),
);

describe("fitLogisticRegression against scikit-learn", () => {
  it.each(logisticCases)("$label: coefficients, intercepts and probabilities", async (c) => {
    // Arrange
    const x = toMatrix(c.X);
    const y = Float64Array.from(c.y);

    // Act
    const model = await fitLogisticRegression(
      x,
      y,
      { C: c.C, solver: c.solver, tol: 1e-10, max_iter: 1000 },
      { task: "classification", nClasses: c.n_classes, seed: 0 },
    );

    // Assert
    expect(model.postTransform).toBe(c.n_classes === 2 ? "logistic" : "softmax");
    expect(model.intercepts.length).toBe(c.n_classes === 2 ? 1 : c.n_classes);
    expect(maxAbsDiff(model.coefficients, c.coef)).toBeLessThan(1e-4);
    expect(maxAbsDiff(model.intercepts, c.intercept)).toBeLessThan(1e-4);
    let worst = 0;
    for (let i = 0; i < x.nRows; i++)
      worst = Math.max(worst, maxAbsDiff(probabilities(model, x, i), c.proba[i]!));
    expect(worst).toBeLessThan(1e-5);
  });

  it("is close to scikit-learn with the default tolerance too", async () => {
    const c = golden.logistic[2]!;
    const model = await fitLogisticRegression(
      toMatrix(c.X),
      Float64Array.from(c.y),
      { C: c.C },
      {
        task: "classification",
        nClasses: c.n_classes,
        seed: 0,
      },
    );
    expect(maxAbsDiff(model.coefficients, c.coef)).toBeLessThan(1e-2);
  });
});

describe("fitLogisticRegression rejects bad input", () => {
  const x: FeatureMatrix = { nRows: 4, columns: [Float64Array.of(0, 1, 2, 3)], names: ["age"] };
  it.each([
    { what: "a label outside the classes", y: [0, 1, 2, 1], nClasses: 2, message: /target at row 3 is 2/ },
    { what: "a fractional label", y: [0, 0.5, 1, 1], nClasses: 2, message: /target at row 2 is 0.5/ },
    { what: "a single class", y: [1, 1, 1, 1], nClasses: 2, message: /single class/ },
    { what: "a NaN label", y: [0, 1, Number.NaN, 1], nClasses: 2, message: /non-finite value NaN at row 3/ },
  ])("$what", async ({ y, nClasses, message }) => {
    await expect(
      fitLogisticRegression(x, Float64Array.from(y), {}, { task: "classification", nClasses, seed: 1 }),
    ).rejects.toThrow(message);
  });

  it("names the feature and row of a missing value", async () => {
    const bad: FeatureMatrix = { nRows: 3, columns: [Float64Array.of(1, Number.NaN, 2)], names: ["tenure"] };
    const error = await fitLogisticRegression(
      bad,
      Float64Array.of(0, 1, 0),
      {},
      {
        task: "classification",
        nClasses: 2,
        seed: 1,
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(/feature "tenure" has the non-finite value NaN at row 2/);
  });

  it.each([
    { params: { C: 0 }, message: /model_training.params.C: got 0, expected a number in \(0, ∞\)/ },
    { params: { max_iter: 0 }, message: /model_training.params.max_iter: got 0, expected an integer ≥ 1/ },
    {
      params: { solver: "saga" as "lbfgs" },
      message: /model_training.params.solver: got "saga", expected one of lbfgs, newton/,
    },
    {
      params: { penalty: "l1" } as never,
      message:
        /model_training.params.penalty: got "l1", expected one of logistic_regression's parameters: C, max_iter, solver, tol/,
    },
  ])("rejects $params", async ({ params, message }) => {
    await expect(
      fitLogisticRegression(x, Float64Array.of(0, 1, 0, 1), params, {
        task: "classification",
        nClasses: 2,
        seed: 1,
      }),
    ).rejects.toThrow(message);
  });
});

describe("fitLinearRegression against scikit-learn Ridge", () => {
  it.each(golden.ridge)("$name", (c) => {
    // Arrange
    const x = toMatrix(c.X);

    // Act
    const model = fitLinearRegression(x, Float64Array.from(c.y), {
      alpha: c.alpha,
      fit_intercept: c.fit_intercept,
    });

    // Assert
    expect(model.postTransform).toBe("none");
    expect(maxAbsDiff(model.coefficients, c.coef)).toBeLessThan(1e-8);
    expect(Math.abs(model.intercepts[0]! - c.intercept)).toBeLessThan(1e-8);
    const predictions = Array.from({ length: x.nRows }, (_, i) => {
      let s = model.intercepts[0]!;
      for (let j = 0; j < model.nFeatures; j++) s += model.coefficients[j]! * x.columns[j]![i]!;
      return s;
    });
    expect(maxAbsDiff(predictions, c.prediction)).toBeLessThan(1e-8);
  });

  it("says to raise alpha when the system is singular", () => {
    const column = Float64Array.of(1, 2, 3, 4);
    const x: FeatureMatrix = {
      nRows: 4,
      columns: [column, Float64Array.from(column)],
      names: ["a", "a_copy"],
    };
    expect(() => fitLinearRegression(x, Float64Array.of(1, 2, 3, 4), { alpha: 0 })).toThrow(
      /singular.*raise alpha/,
    );
  });

  it.each([
    { params: { alpha: -1 }, message: /model_training.params.alpha: got -1, expected a number in \[0, ∞\)/ },
    {
      params: { alpha: Number.NaN },
      message: /model_training.params.alpha: got null, expected a number in \[0, ∞\)/,
    },
    { params: { fit_intercept: "yes" } as never, message: /model_training.params.fit_intercept: got "yes"/ },
  ])("rejects $params", ({ params, message }) => {
    const x: FeatureMatrix = { nRows: 2, columns: [Float64Array.of(1, 2)], names: ["a"] };
    expect(() => fitLinearRegression(x, Float64Array.of(1, 2), params)).toThrow(message);
  });

  it("names the row of a non-finite target", () => {
    const x: FeatureMatrix = { nRows: 3, columns: [Float64Array.of(1, 2, 3)], names: ["a"] };
    expect(() => fitLinearRegression(x, Float64Array.of(1, Number.POSITIVE_INFINITY, 3))).toThrow(
      /target has the non-finite value Infinity at row 2/,
    );
  });
});
