/**
 * EWMA control chart on normalised values: z_t = λ·x_t + (1 − λ)·z_{t−1},
 * alarm when |z_t| > L·σ·√(λ/(2 − λ)) (asymptotic limits). Defaults λ = 0.2,
 * L = 3 (in-control ARL ≈ 560). The average restarts at 0 after an alarm.
 */
import { checkBaseline, type AnomalySignal, type Baseline } from "./baseline.js";

/** EWMA chart parameters. */
export interface EwmaParams {
  readonly baseline: Baseline;
  /** Smoothing λ in (0, 1] (default 0.2). */
  readonly lambda?: number;
  /** Width of the control limits in σ of the EWMA (default 3). */
  readonly width?: number;
}

/** EWMA state: the smoothed normalised value. */
export interface EwmaState {
  readonly z: number;
}

/** The starting state. */
export const EWMA_START: EwmaState = { z: 0 };

/** Feeds one point; returns the next state and the signal. NaN points are skipped. */
export function stepEwma(
  state: EwmaState,
  x: number,
  params: EwmaParams,
): { state: EwmaState; signal: AnomalySignal } {
  const { mean, std } = checkBaseline(params.baseline);
  const lambda = params.lambda ?? 0.2;
  const width = params.width ?? 3;
  if (!(lambda > 0 && lambda <= 1)) throw new RangeError(`EWMA lambda must be in (0, 1], got ${lambda}`);
  const limit = width * Math.sqrt(lambda / (2 - lambda));
  if (!Number.isFinite(x))
    return { state, signal: { alarm: false, statistic: state.z / limit, direction: null } };
  const z = lambda * ((x - mean) / std) + (1 - lambda) * state.z;
  if (Math.abs(z) > limit) {
    return {
      state: EWMA_START,
      signal: { alarm: true, statistic: z / limit, direction: z > 0 ? "up" : "down" },
    };
  }
  return { state: { z }, signal: { alarm: false, statistic: z / limit, direction: null } };
}
