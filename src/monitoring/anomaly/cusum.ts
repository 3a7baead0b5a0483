/**
 * Two-sided tabular CUSUM on normalised values, slack k = 0.5 σ and decision
 * interval h = 5 σ by default (in-control ARL ≈ 465; about 10 points to
 * signal a 1 σ level shift). Both sums restart at 0 after an alarm.
 */
import { checkBaseline, type AnomalySignal, type Baseline } from "./baseline.js";

/** CUSUM parameters in σ units. */
export interface CusumParams {
  readonly baseline: Baseline;
  /** Slack k (default 0.5). */
  readonly k?: number;
  /** Decision interval h (default 5). */
  readonly h?: number;
}

/** CUSUM state: the upper and lower cumulative sums. */
export interface CusumState {
  readonly upper: number;
  readonly lower: number;
}

/** The starting state. */
export const CUSUM_START: CusumState = { upper: 0, lower: 0 };

/** Feeds one point; returns the next state and the signal. NaN points are skipped. */
export function stepCusum(
  state: CusumState,
  x: number,
  params: CusumParams,
): { state: CusumState; signal: AnomalySignal } {
  const { mean, std } = checkBaseline(params.baseline);
  const k = params.k ?? 0.5;
  const h = params.h ?? 5;
  if (!Number.isFinite(x)) {
    return {
      state,
      signal: { alarm: false, statistic: Math.max(state.upper, state.lower), direction: null },
    };
  }
  const z = (x - mean) / std;
  const upper = Math.max(0, state.upper + z - k);
  const lower = Math.max(0, state.lower - z - k);
  const statistic = Math.max(upper, lower);
  if (upper > h || lower > h) {
    return { state: CUSUM_START, signal: { alarm: true, statistic, direction: upper > h ? "up" : "down" } };
  }
  return { state: { upper, lower }, signal: { alarm: false, statistic, direction: null } };
}
