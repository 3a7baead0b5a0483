/**
 * Robust z-score against a trailing window: z = 0.6745·(x − median)/MAD, an
 * alarm when |z| > 3.5 (Iglewicz & Hoaglin). Median and MAD shrug off the
 * outliers they are meant to find. The window holds the last `window` points
 * (default 100) and fills before any alarm is raised.
 */
import { computeMedianSorted } from "../../common/statistics/descriptive.js";
import type { AnomalySignal } from "./baseline.js";

/** Robust z-score parameters. */
export interface RobustZParams {
  /** Points in the trailing window (default 100). */
  readonly window?: number;
  /** Alarm threshold on |z| (default 3.5). */
  readonly threshold?: number;
  /** Floor on the MAD, so a flat window does not turn every change into ∞ (default 1e-9). */
  readonly minMad?: number;
}

/** Robust z-score state: the trailing window, oldest first. */
export interface RobustZState {
  readonly window: readonly number[];
}

/** The starting state. */
export const ROBUST_Z_START: RobustZState = { window: [] };

/** Feeds one point; returns the next state and the signal. NaN points are skipped. */
export function stepRobustZ(
  state: RobustZState,
  x: number,
  params: RobustZParams = {},
): { state: RobustZState; signal: AnomalySignal } {
  const size = params.window ?? 100;
  const threshold = params.threshold ?? 3.5;
  if (!Number.isInteger(size) || size < 3)
    throw new RangeError(`the robust z window must be an integer ≥ 3, got ${size}`);
  if (!Number.isFinite(x)) return { state, signal: { alarm: false, statistic: Number.NaN, direction: null } };
  let statistic = Number.NaN;
  let alarm = false;
  if (state.window.length >= size) {
    const sorted = [...state.window].sort((a, b) => a - b);
    const med = computeMedianSorted(sorted);
    const mad = Math.max(
      computeMedianSorted(sorted.map((v) => Math.abs(v - med)).sort((a, b) => a - b)),
      params.minMad ?? 1e-9,
    );
    statistic = (0.6745 * (x - med)) / mad;
    alarm = Math.abs(statistic) > threshold;
  }
  // An anomalous point does not enter the window, so a burst cannot teach the
  // window that it is normal.
  const window = alarm ? state.window : [...state.window.slice(-(size - 1)), x];
  return {
    state: { window },
    signal: { alarm, statistic, direction: alarm ? (statistic > 0 ? "up" : "down") : null },
  };
}
