/**
 * Limited-memory BFGS for smooth unconstrained minimisation, with a
 * strong-Wolfe line search (Nocedal & Wright, Numerical Optimization, 2nd ed.,
 * algorithms 7.4, 3.5 and 3.6). The linear learners use it; it knows nothing
 * about them.
 */

/**
 * A smooth function to minimise. Writes the gradient at `x` into `gradient`
 * and returns the value at `x`. It must not keep references to either array.
 */
export type ObjectiveWithGradient = (x: Float64Array, gradient: Float64Array) => number;

/** Stopping rules and memory size. */
export interface LbfgsOptions {
  /** Iterations (accepted steps) before giving up. */
  readonly maxIterations: number;
  /** Stop once `max |gradient_i| <= gradientTolerance` (scikit-learn's `gtol`). */
  readonly gradientTolerance: number;
  /**
   * Stop once the relative decrease of the value over one step falls below
   * this; defaults to 64·ε like scikit-learn so a tight `gradientTolerance`
   * decides convergence on well-conditioned problems.
   */
  readonly functionTolerance?: number;
  /** Number of correction pairs kept; 10 like scikit-learn's call to SciPy. */
  readonly memory?: number;
}

/** Where the search stopped and why. */
export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly gradient: Float64Array;
  readonly iterations: number;
  /** True when a tolerance was met, false when iterations ran out or the line search stalled. */
  readonly converged: boolean;
  readonly reason: "gradient" | "function" | "max_iterations" | "line_search";
}

const C1 = 1e-4;
const C2 = 0.9;
const MAX_LINE_SEARCH_STEPS = 50;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]!);
    if (v > m) m = v;
  }
  return m;
}

/** Minimiser of the cubic through (a, fa, ga) and (b, fb, gb), kept inside the bracket's safe middle. */
function cubicStep(a: number, fa: number, ga: number, b: number, fb: number, gb: number): number {
  const d1 = ga + gb - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - ga * gb;
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  const width = hi - lo;
  if (disc >= 0 && Number.isFinite(disc)) {
    const d2 = Math.sign(b - a) * Math.sqrt(disc);
    const t = b - (b - a) * ((gb + d2 - d1) / (gb - ga + 2 * d2));
    // Guard against steps that hug an end of the bracket and stall progress.
    if (Number.isFinite(t) && t > lo + 0.1 * width && t < hi - 0.1 * width) return t;
  }
  return (a + b) / 2;
}

interface LineSearchState {
  readonly f: ObjectiveWithGradient;
  readonly x: Float64Array;
  readonly direction: Float64Array;
  readonly trial: Float64Array;
  readonly trialGradient: Float64Array;
}

interface Point {
  step: number;
  value: number;
  slope: number;
}

function evaluateAt(state: LineSearchState, step: number): Point {
  const { x, direction, trial, trialGradient } = state;
  for (let i = 0; i < x.length; i++) trial[i] = x[i]! + step * direction[i]!;
  const value = state.f(trial, trialGradient);
  return { step, value, slope: dot(trialGradient, direction) };
}

/**
 * Strong-Wolfe line search. On success, `state.trial` and
 * `state.trialGradient` hold the accepted point; returns its value, or
 * `undefined` when no acceptable step was found.
 */
function searchLine(state: LineSearchState, f0: number, g0: number, firstStep: number): Point | undefined {
  let previous: Point = { step: 0, value: f0, slope: g0 };
  let step = firstStep;
  let zoomFrom: Point | undefined;
  let zoomTo: Point | undefined;
  let evaluations = 0;
  for (; evaluations < MAX_LINE_SEARCH_STEPS; evaluations++) {
    const current = evaluateAt(state, step);
    if (
      !Number.isFinite(current.value) ||
      current.value > f0 + C1 * step * g0 ||
      (evaluations > 0 && current.value >= previous.value)
    ) {
      zoomFrom = previous;
      zoomTo = current;
      break;
    }
    if (Math.abs(current.slope) <= -C2 * g0) return current;
    if (current.slope >= 0) {
      zoomFrom = current;
      zoomTo = previous;
      break;
    }
    previous = current;
    step *= 2;
  }
  if (zoomFrom === undefined || zoomTo === undefined) return undefined;
  let lo = zoomFrom;
  let hi = zoomTo;
  for (; evaluations < MAX_LINE_SEARCH_STEPS; evaluations++) {
    const t = Number.isFinite(hi.value)
      ? cubicStep(lo.step, lo.value, lo.slope, hi.step, hi.value, hi.slope)
      : (lo.step + hi.step) / 2;
    if (Math.abs(hi.step - lo.step) <= 1e-16 * Math.max(1, Math.abs(lo.step))) break;
    const current = evaluateAt(state, t);
    if (!Number.isFinite(current.value) || current.value > f0 + C1 * t * g0 || current.value >= lo.value) {
      hi = current;
      continue;
    }
    if (Math.abs(current.slope) <= -C2 * g0) return current;
    if (current.slope * (hi.step - lo.step) >= 0) hi = lo;
    lo = current;
  }
  // No strong-Wolfe point, but a step that lowered the value is still progress.
  if (lo.step > 0 && lo.value < f0) {
    evaluateAt(state, lo.step);
    return lo;
  }
  return undefined;
}

/** The last `memory` curvature pairs (s, y) and their 1 / sᵀy. */
interface CurvatureHistory {
  readonly s: Float64Array[];
  readonly y: Float64Array[];
  readonly rho: number[];
}

/** Two-loop recursion: `direction = -H·gradient` from the stored curvature pairs. */
function computeDirection(
  history: CurvatureHistory,
  gradient: Float64Array,
  direction: Float64Array,
  alpha: Float64Array,
): void {
  const n = gradient.length;
  const { s: sHistory, y: yHistory, rho: rhoHistory } = history;
  for (let i = 0; i < n; i++) direction[i] = -gradient[i]!;
  const m = sHistory.length;
  for (let k = m - 1; k >= 0; k--) {
    const a = rhoHistory[k]! * dot(sHistory[k]!, direction);
    alpha[k] = a;
    const yk = yHistory[k]!;
    for (let i = 0; i < n; i++) direction[i]! -= a * yk[i]!;
  }
  if (m > 0) {
    const yLast = yHistory[m - 1]!;
    const gamma = dot(sHistory[m - 1]!, yLast) / dot(yLast, yLast);
    for (let i = 0; i < n; i++) direction[i]! *= gamma;
  }
  for (let k = 0; k < m; k++) {
    const b = rhoHistory[k]! * dot(yHistory[k]!, direction);
    const sk = sHistory[k]!;
    const coef = alpha[k]! - b;
    for (let i = 0; i < n; i++) direction[i]! += coef * sk[i]!;
  }
}

/** Stores a pair, dropping the oldest beyond `memory`; pairs that break positive curvature are skipped. */
function rememberPair(history: CurvatureHistory, s: Float64Array, y: Float64Array, memory: number): void {
  const sy = dot(s, y);
  // Skip pairs that break positive curvature so the inverse-Hessian estimate stays positive definite.
  if (!(sy > 1e-10 * Math.sqrt(dot(s, s) * dot(y, y)))) return;
  if (history.s.length === memory) {
    history.s.shift();
    history.y.shift();
    history.rho.shift();
  }
  history.s.push(s);
  history.y.push(y);
  history.rho.push(1 / sy);
}

function forgetPairs(history: CurvatureHistory): void {
  history.s.length = 0;
  history.y.length = 0;
  history.rho.length = 0;
}

/**
 * Minimises `f` from `x0` with L-BFGS. Deterministic: the same function and
 * start give the same bytes.
 */
export function minimizeLbfgs(
  f: ObjectiveWithGradient,
  x0: Float64Array,
  options: LbfgsOptions,
): LbfgsResult {
  const n = x0.length;
  const memory = options.memory ?? 10;
  const functionTolerance = options.functionTolerance ?? 64 * Number.EPSILON;
  const x = Float64Array.from(x0);
  const gradient = new Float64Array(n);
  let value = f(x, gradient);
  if (!Number.isFinite(value))
    throw new RangeError(`L-BFGS: the objective is not finite at the start (${value})`);

  const history: CurvatureHistory = { s: [], y: [], rho: [] };
  const alpha = new Float64Array(memory);
  const direction = new Float64Array(n);
  const state: LineSearchState = {
    f,
    x,
    direction,
    trial: new Float64Array(n),
    trialGradient: new Float64Array(n),
  };

  let iterations = 0;
  let reason: LbfgsResult["reason"] = "max_iterations";
  if (maxAbs(gradient) <= options.gradientTolerance) reason = "gradient";
  while (reason === "max_iterations" && iterations < options.maxIterations) {
    const m = history.s.length;
    computeDirection(history, gradient, direction, alpha);
    let slope = dot(gradient, direction);
    if (!(slope < 0)) {
      // Lost descent (numerical trouble): restart from steepest descent.
      forgetPairs(history);
      for (let i = 0; i < n; i++) direction[i] = -gradient[i]!;
      slope = dot(gradient, direction);
    }
    const firstStep = m === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
    const accepted = searchLine(state, value, slope, firstStep);
    if (accepted === undefined) {
      reason = "line_search";
      break;
    }
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = state.trial[i]! - x[i]!;
      y[i] = state.trialGradient[i]! - gradient[i]!;
    }
    const previousValue = value;
    x.set(state.trial);
    gradient.set(state.trialGradient);
    value = accepted.value;
    iterations++;
    rememberPair(history, s, y, memory);
    if (maxAbs(gradient) <= options.gradientTolerance) reason = "gradient";
    else if (
      (previousValue - value) / Math.max(Math.abs(previousValue), Math.abs(value), 1) <=
      functionTolerance
    ) {
      reason = "function";
    }
  }
  return {
    x,
    value,
    gradient,
    iterations,
    converged: reason === "gradient" || reason === "function",
    reason,
  };
}
