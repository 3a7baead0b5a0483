/** Regression metrics with scikit-learn's definitions and its finite edge cases. */
import { DataError } from "../common/errors.js";
import { checkSameLength } from "./metrics-input.js";

/** Float64 machine epsilon: MAPE's floor for |y|, as in scikit-learn. */
const EPS = 2.220446049250313e-16;

function checkFinite(what: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!))
      throw new DataError(`${what}: value ${values[i]} at row ${i + 1} is not a finite number`);
  }
}

function check(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, what: string): void {
  checkSameLength(yTrue, yPred, what);
  checkFinite(`${what} y_true`, yTrue);
  checkFinite(`${what} y_pred`, yPred);
}

/** Root mean squared error. */
export function computeRmse(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  check(yTrue, yPred, "rmse");
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) sum += (yTrue[i]! - yPred[i]!) ** 2;
  return Math.sqrt(sum / yTrue.length);
}

/** Mean absolute error. */
export function computeMae(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  check(yTrue, yPred, "mae");
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) sum += Math.abs(yTrue[i]! - yPred[i]!);
  return sum / yTrue.length;
}

/**
 * Coefficient of determination. A constant y_true scores 1 when predicted
 * exactly and 0 otherwise (scikit-learn's `force_finite`), never NaN.
 *
 * @throws DataError with fewer than 2 rows, where R² is undefined.
 */
export function computeR2(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  check(yTrue, yPred, "r2");
  const n = yTrue.length;
  if (n < 2) throw new DataError("R² is undefined with fewer than 2 rows");
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i]!;
  mean /= n;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    residual += (yTrue[i]! - yPred[i]!) ** 2;
    total += (yTrue[i]! - mean) ** 2;
  }
  if (total === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / total;
}

/**
 * Mean absolute percentage error, as a fraction (0.1 = 10%). A zero target
 * divides by ε rather than 0, so the value is huge but finite, as in
 * scikit-learn.
 */
export function computeMape(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  check(yTrue, yPred, "mape");
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++)
    sum += Math.abs(yTrue[i]! - yPred[i]!) / Math.max(Math.abs(yTrue[i]!), EPS);
  return sum / yTrue.length;
}
