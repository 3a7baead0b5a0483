/**
 * `linear_regression`: ridge regression in closed form. With an intercept the
 * columns and target are centred first, so the intercept is not penalised
 * (scikit-learn's `Ridge`); the normal equations `(XᵀX + αI) w = Xᵀy` are
 * then solved by Cholesky.
 */
import { DataError } from "../common/errors.js";
import { solveCholeskyInPlace } from "../common/statistics/linear-algebra.js";
import { listLearnerParams, type LinearRegressionParams } from "../config/learner-params.js";
import { checkKnownParams } from "./forest.js";
import type { FeatureMatrix, LinearModel, Task } from "./model.js";
import { checkBoolean, checkNumber } from "./params.js";

export type { LinearRegressionParams };

/** What the pipeline knows about the problem. */
export interface LinearRegressionContext {
  readonly task: Task;
}

/** Throws a DataError naming the first non-finite value in the features or the target. */
export function assertFiniteInputs(x: FeatureMatrix, y: Float64Array, learner: string): void {
  if (y.length !== x.nRows) {
    throw new DataError(`${learner}: the target has ${y.length} rows but the features have ${x.nRows}`);
  }
  if (x.nRows === 0) throw new DataError(`${learner}: no training rows`);
  for (let j = 0; j < x.columns.length; j++) {
    const column = x.columns[j]!;
    for (let i = 0; i < x.nRows; i++) {
      if (!Number.isFinite(column[i]!)) {
        throw new DataError(
          `${learner}: feature "${x.names[j] ?? j}" has the non-finite value ${column[i]} at row ${i + 1}; impute missing values first`,
        );
      }
    }
  }
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]!))
      throw new DataError(`${learner}: the target has the non-finite value ${y[i]} at row ${i + 1}`);
  }
}

const KEYS = listLearnerParams("linear_regression");

function checkParams(params: LinearRegressionParams): { alpha: number; fitIntercept: boolean } {
  checkKnownParams(params, KEYS, "linear_regression");
  return {
    alpha: checkNumber("alpha", params.alpha ?? 1.0, 0, Infinity),
    fitIntercept: checkBoolean("fit_intercept", params.fit_intercept ?? true),
  };
}

/**
 * Fits ridge regression. Returns a one-output {@link LinearModel} with
 * `postTransform: "none"`. A singular system (α = 0 with collinear columns)
 * is a DataError that says to raise `alpha`.
 */
export function fitLinearRegression(
  x: FeatureMatrix,
  y: Float64Array,
  params: LinearRegressionParams = {},
  context: LinearRegressionContext = { task: "regression" },
): LinearModel {
  if (context.task !== "regression") {
    throw new RangeError(
      `linear_regression fits regression tasks; the task is ${context.task} (use logistic_regression)`,
    );
  }
  const { alpha, fitIntercept } = checkParams(params);
  assertFiniteInputs(x, y, "linear_regression");
  const n = x.nRows;
  const p = x.columns.length;
  const means = new Float64Array(p);
  let yMean = 0;
  if (fitIntercept) {
    for (let j = 0; j < p; j++) {
      const column = x.columns[j]!;
      let s = 0;
      for (let i = 0; i < n; i++) s += column[i]!;
      means[j] = s / n;
    }
    for (let i = 0; i < n; i++) yMean += y[i]!;
    yMean /= n;
  }
  // Centred copies keep the Gram matrix accurate when columns sit far from zero.
  const centred = x.columns.map((column, j) => {
    const m = means[j]!;
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) c[i] = column[i]! - m;
    return c;
  });
  const gram = new Float64Array(p * p);
  const rhs = new Float64Array(p);
  for (let a = 0; a < p; a++) {
    const ca = centred[a]!;
    for (let b = a; b < p; b++) {
      const cb = centred[b]!;
      let s = 0;
      for (let i = 0; i < n; i++) s += ca[i]! * cb[i]!;
      gram[a * p + b] = s;
      gram[b * p + a] = s;
    }
    gram[a * p + a]! += alpha;
    let r = 0;
    for (let i = 0; i < n; i++) r += ca[i]! * (y[i]! - yMean);
    rhs[a] = r;
  }
  if (!solveCholeskyInPlace(gram, rhs, p)) {
    throw new DataError(
      `linear_regression: the normal equations are singular (collinear or constant features with alpha=${alpha}); raise alpha or drop the redundant features`,
    );
  }
  let intercept = 0;
  if (fitIntercept) {
    intercept = yMean;
    for (let j = 0; j < p; j++) intercept -= means[j]! * rhs[j]!;
  }
  return {
    kind: "linear",
    task: "regression",
    coefficients: rhs,
    intercepts: Float64Array.of(intercept),
    postTransform: "none",
    nFeatures: p,
    nClasses: 1,
  };
}
