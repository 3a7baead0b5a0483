/**
 * The in-control level of a metric stream, used to normalise values before
 * the detectors see them: either given (from a reference period) or learned
 * from the first `warmup` points of the stream.
 */

/** Known in-control mean and standard deviation of a stream. */
export interface Baseline {
  readonly mean: number;
  readonly std: number;
}

/** Warm-up state: running moments (Welford) until enough points are seen. */
export interface WarmupState {
  readonly n: number;
  readonly mean: number;
  readonly m2: number;
}

/** The empty warm-up. */
export const EMPTY_WARMUP: WarmupState = { n: 0, mean: 0, m2: 0 };

/** Adds one point to a warm-up. */
export function stepWarmup(state: WarmupState, x: number): WarmupState {
  const n = state.n + 1;
  const delta = x - state.mean;
  const mean = state.mean + delta / n;
  return { n, mean, m2: state.m2 + delta * (x - mean) };
}

/**
 * The baseline a finished warm-up gives. A flat warm-up (std 0) would make
 * every later change infinite, so the std is floored at `minStd`.
 */
export function finishWarmup(state: WarmupState, minStd: number): Baseline {
  const std = state.n > 1 ? Math.sqrt(state.m2 / (state.n - 1)) : 0;
  return { mean: state.mean, std: Math.max(std, minStd) };
}

/** Checks a baseline given by the caller. */
export function checkBaseline(baseline: Baseline): Baseline {
  if (!Number.isFinite(baseline.mean) || !(baseline.std > 0) || !Number.isFinite(baseline.std)) {
    throw new RangeError(
      `a baseline needs a finite mean and a positive std, got ${baseline.mean} and ${baseline.std}`,
    );
  }
  return baseline;
}

/** A detector's verdict on one point. */
export interface AnomalySignal {
  /** True when this point raises an alarm. */
  readonly alarm: boolean;
  /** The detector's statistic after this point (in σ units); NaN while warming up. */
  readonly statistic: number;
  /** Which way the stream moved, when alarmed. */
  readonly direction: "up" | "down" | null;
}
