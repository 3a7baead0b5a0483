/**
 * `logistic_regression`: L2-penalised logistic regression with
 * scikit-learn's convention — minimise `C · Σ log-loss + ½‖w‖²`, intercepts
 * not penalised. Two classes give one logit output (`postTransform:
 * "logistic"`); more give one output per class with softmax (multinomial,
 * the over-parametrised form scikit-learn uses, so coefficients compare one
 * to one).
 *
 * Internally the objective is divided by `C·n` (mean log-loss +
 * ‖w‖²/(2Cn)): the same minimiser, and the scale on which scikit-learn's
 * `tol` is a gradient tolerance.
 */
import { DataError } from "../common/errors.js";
import {
  listLearnerParams,
  LOGISTIC_SOLVERS,
  type LogisticRegressionParams,
} from "../config/learner-params.js";
import { checkKnownParams } from "./forest.js";
import { minimizeLbfgs } from "./lbfgs.js";
import { solveCholeskyInPlace } from "../common/statistics/linear-algebra.js";
import { assertFiniteInputs } from "./linear-regression.js";
import type { FeatureMatrix, LinearModel, Task } from "./model.js";
import { checkInteger, checkNumber, LearnerParamError } from "./params.js";

export type { LogisticRegressionParams };

/** What the pipeline knows about the problem. `y` holds class indices `0 … nClasses-1`. */
export interface LogisticRegressionContext {
  readonly task: Task;
  readonly nClasses: number;
  /** Unused: the fit is deterministic. Accepted so every learner takes the same context. */
  readonly seed: number;
}

interface Problem {
  readonly x: FeatureMatrix;
  readonly y: Int32Array;
  /** Outputs: 1 for binary, the class count otherwise. */
  readonly k: number;
  readonly c: number;
}

function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/**
 * Computes per-output scores and residuals `p - onehot(y)` into `residuals`
 * (output-major, `k × n`), plus per-output probabilities into `probabilities`;
 * returns the summed log-loss. Weights are laid out `k × (p + 1)`, the
 * intercept last in each block.
 */
function computeResiduals(
  problem: Problem,
  w: Float64Array,
  residuals: Float64Array,
  probabilities: Float64Array,
): number {
  const { x, y, k } = problem;
  const n = x.nRows;
  const p = x.columns.length;
  const stride = p + 1;
  for (let c = 0; c < k; c++) {
    const base = c * n;
    residuals.fill(w[c * stride + p]!, base, base + n);
    for (let j = 0; j < p; j++) {
      const wj = w[c * stride + j]!;
      if (wj === 0) continue;
      const column = x.columns[j]!;
      for (let i = 0; i < n; i++) residuals[base + i]! += wj * column[i]!;
    }
  }
  let loss = 0;
  if (k === 1) {
    for (let i = 0; i < n; i++) {
      const z = residuals[i]!;
      const label = y[i]!;
      loss += softplus(z) - label * z;
      const prob = sigmoid(z);
      probabilities[i] = prob;
      residuals[i] = prob - label;
    }
    return loss;
  }
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, residuals[c * n + i]!);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(residuals[c * n + i]! - max);
    const logSum = max + Math.log(sum);
    const label = y[i]!;
    loss += logSum - residuals[label * n + i]!;
    for (let c = 0; c < k; c++) {
      const prob = Math.exp(residuals[c * n + i]! - logSum);
      probabilities[c * n + i] = prob;
      residuals[c * n + i] = prob - (c === label ? 1 : 0);
    }
  }
  return loss;
}

function createObjective(problem: Problem): {
  evaluate: (w: Float64Array, gradient: Float64Array) => number;
  probabilities: Float64Array;
} {
  const { x, k, c } = problem;
  const n = x.nRows;
  const p = x.columns.length;
  const stride = p + 1;
  const residuals = new Float64Array(k * n);
  const probabilities = new Float64Array(k * n);
  const penalty = 1 / (c * n);
  function evaluate(w: Float64Array, gradient: Float64Array): number {
    const loss = computeResiduals(problem, w, residuals, probabilities);
    let norm = 0;
    for (let o = 0; o < k; o++) {
      const base = o * n;
      for (let j = 0; j < p; j++) {
        const column = x.columns[j]!;
        let s = 0;
        for (let i = 0; i < n; i++) s += residuals[base + i]! * column[i]!;
        const wj = w[o * stride + j]!;
        gradient[o * stride + j] = s / n + penalty * wj;
        norm += wj * wj;
      }
      let s = 0;
      for (let i = 0; i < n; i++) s += residuals[base + i]!;
      gradient[o * stride + p] = s / n;
    }
    return loss / n + 0.5 * penalty * norm;
  }
  return { evaluate, probabilities };
}

/** The Hessian of the scaled objective, row-major `D × D` with `D = k(p+1)`. */
function computeHessian(problem: Problem, probabilities: Float64Array): Float64Array {
  const { x, k, c } = problem;
  const n = x.nRows;
  const p = x.columns.length;
  const stride = p + 1;
  const size = k * stride;
  const hessian = new Float64Array(size * size);
  const weights = new Float64Array(n);
  const weighted = new Float64Array(n);
  const ones = new Float64Array(n).fill(1);
  const feature = (j: number): Float64Array => (j === p ? ones : x.columns[j]!);
  for (let o = 0; o < k; o++) {
    for (let q = o; q < k; q++) {
      for (let i = 0; i < n; i++) {
        const po = probabilities[o * n + i]!;
        weights[i] = k === 1 ? po * (1 - po) : po * ((o === q ? 1 : 0) - probabilities[q * n + i]!);
      }
      for (let a = 0; a <= p; a++) {
        const fa = feature(a);
        for (let i = 0; i < n; i++) weighted[i] = weights[i]! * fa[i]!;
        for (let b = o === q ? a : 0; b <= p; b++) {
          const fb = feature(b);
          let s = 0;
          for (let i = 0; i < n; i++) s += weighted[i]! * fb[i]!;
          const value = s / n;
          const row = o * stride + a;
          const col = q * stride + b;
          hessian[row * size + col] = value;
          hessian[col * size + row] = value;
        }
      }
    }
  }
  const penalty = 1 / (c * n);
  for (let o = 0; o < k; o++) {
    for (let j = 0; j < p; j++) hessian[(o * stride + j) * (size + 1)]! += penalty;
  }
  return hessian;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

function minimizeNewton(problem: Problem, maxIterations: number, tol: number): Float64Array {
  const { evaluate, probabilities } = createObjective(problem);
  const size = problem.k * (problem.x.columns.length + 1);
  let w = new Float64Array(size);
  const gradient = new Float64Array(size);
  const trialGradient = new Float64Array(size);
  let value = evaluate(w, gradient);
  for (let iteration = 0; iteration < maxIterations && maxAbs(gradient) > tol; iteration++) {
    const hessian = computeHessian(problem, probabilities);
    // Softmax intercepts can all shift together without changing the loss, so
    // the Hessian is singular along that direction; a tiny ridge picks the
    // minimum-norm step, which the gradient never moves along anyway.
    let trace = 0;
    for (let i = 0; i < size; i++) trace += hessian[i * (size + 1)]!;
    const jitter = 1e-12 * (trace / size) + 1e-300;
    for (let i = 0; i < size; i++) hessian[i * (size + 1)]! += jitter;
    const step = Float64Array.from(gradient, (g) => -g);
    if (!solveCholeskyInPlace(hessian, step, size)) break;
    let slope = 0;
    for (let i = 0; i < size; i++) slope += step[i]! * gradient[i]!;
    let t = 1;
    let accepted = false;
    for (let halving = 0; halving < 40; halving++, t /= 2) {
      const trial = new Float64Array(size);
      for (let i = 0; i < size; i++) trial[i] = w[i]! + t * step[i]!;
      const trialValue = evaluate(trial, trialGradient);
      if (trialValue <= value + 1e-4 * t * slope) {
        w = trial;
        value = trialValue;
        gradient.set(trialGradient);
        accepted = true;
        break;
      }
    }
    if (!accepted) break;
  }
  // `probabilities` tracks the last evaluated point, which may be a rejected trial; nothing reads it after this.
  return w;
}

function minimizeWithLbfgs(problem: Problem, maxIterations: number, tol: number): Float64Array {
  const { evaluate } = createObjective(problem);
  const size = problem.k * (problem.x.columns.length + 1);
  return minimizeLbfgs(evaluate, new Float64Array(size), { maxIterations, gradientTolerance: tol }).x;
}

function readLabels(y: Float64Array, nClasses: number): Int32Array {
  const labels = new Int32Array(y.length);
  const counts = new Int32Array(nClasses);
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= nClasses) {
      throw new DataError(
        `logistic_regression: the target at row ${i + 1} is ${v}; expected a class index 0 … ${nClasses - 1}`,
      );
    }
    labels[i] = v;
    counts[v]!++;
  }
  const seen = counts.reduce((s, c) => s + (c > 0 ? 1 : 0), 0);
  if (seen < 2)
    throw new DataError(
      `logistic_regression: the target has a single class in ${y.length} rows; it needs at least two`,
    );
  return labels;
}

const KEYS = listLearnerParams("logistic_regression");

function checkParams(params: LogisticRegressionParams): {
  c: number;
  maxIter: number;
  solver: "lbfgs" | "newton";
  tol: number;
} {
  checkKnownParams(params, KEYS, "logistic_regression");
  const c = checkNumber("C", params.C ?? 1.0, 0, Infinity, true);
  const maxIter = checkInteger("max_iter", params.max_iter ?? 100, 1);
  const tol = checkNumber("tol", params.tol ?? 1e-4, 0, Infinity);
  const solver: unknown = params.solver ?? "lbfgs";
  if (solver !== "lbfgs" && solver !== "newton") {
    throw new LearnerParamError("solver", solver, `one of ${LOGISTIC_SOLVERS.join(", ")}`);
  }
  return { c, maxIter, solver, tol };
}

/**
 * Fits logistic regression on class indices `y`. Binary problems give one
 * output (the positive class's logit); multiclass ones give `nClasses`
 * outputs whose intercepts sum to zero, as scikit-learn reports them.
 * Asynchronous so the pipeline can treat every learner alike.
 */
export function fitLogisticRegression(
  x: FeatureMatrix,
  y: Float64Array,
  params: LogisticRegressionParams,
  context: LogisticRegressionContext,
): Promise<LinearModel> {
  try {
    return Promise.resolve(fitLogisticRegressionSync(x, y, params, context));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** The synchronous body of {@link fitLogisticRegression}, for callers already off the main thread. */
export function fitLogisticRegressionSync(
  x: FeatureMatrix,
  y: Float64Array,
  params: LogisticRegressionParams,
  context: LogisticRegressionContext,
): LinearModel {
  if (context.task !== "classification") {
    throw new RangeError(
      `logistic_regression fits classification tasks; the task is ${context.task} (use linear_regression)`,
    );
  }
  if (!Number.isInteger(context.nClasses) || context.nClasses < 2) {
    throw new DataError(`logistic_regression: needs at least two classes, got ${context.nClasses}`);
  }
  const { c, maxIter, solver, tol } = checkParams(params);
  assertFiniteInputs(x, y, "logistic_regression");
  const labels = readLabels(y, context.nClasses);
  const k = context.nClasses === 2 ? 1 : context.nClasses;
  const problem: Problem = { x, y: labels, k, c };
  const w =
    solver === "newton" ? minimizeNewton(problem, maxIter, tol) : minimizeWithLbfgs(problem, maxIter, tol);

  const p = x.columns.length;
  const coefficients = new Float64Array(k * p);
  const intercepts = new Float64Array(k);
  for (let o = 0; o < k; o++) {
    for (let j = 0; j < p; j++) coefficients[o * p + j] = w[o * (p + 1) + j]!;
    intercepts[o] = w[o * (p + 1) + p]!;
  }
  if (k > 1) {
    // The softmax is unchanged by a common shift of the intercepts; report the zero-mean one.
    const mean = intercepts.reduce((s, v) => s + v, 0) / k;
    for (let o = 0; o < k; o++) intercepts[o]! -= mean;
  }
  return {
    kind: "linear",
    task: "classification",
    coefficients,
    intercepts,
    postTransform: k === 1 ? "logistic" : "softmax",
    nFeatures: p,
    nClasses: context.nClasses,
  };
}
