/**
 * Page–Hinkley test on normalised values, both directions: the cumulative
 * deviation from the running mean, less a tolerance δ, is compared with its
 * running extreme; an alarm when the gap exceeds λ. Defaults δ = 0.5 and
 * λ = 6 (in σ units). The running mean adapts to the stream, which makes it
 * robust to a slightly wrong baseline at the cost of some delay. All sums
 * restart after an alarm.
 */
import { checkBaseline, type AnomalySignal, type Baseline } from "./baseline.js";

/** Page–Hinkley parameters in σ units. */
export interface PageHinkleyParams {
  readonly baseline: Baseline;
  /** Tolerance δ (default 0.5). */
  readonly delta?: number;
  /** Threshold λ (default 6). */
  readonly lambda?: number;
}

/** Page–Hinkley state. */
export interface PageHinkleyState {
  readonly n: number;
  readonly mean: number;
  readonly up: number;
  readonly upMin: number;
  readonly down: number;
  readonly downMin: number;
}

/** The starting state. */
export const PAGE_HINKLEY_START: PageHinkleyState = { n: 0, mean: 0, up: 0, upMin: 0, down: 0, downMin: 0 };

/** Feeds one point; returns the next state and the signal. NaN points are skipped. */
export function stepPageHinkley(
  state: PageHinkleyState,
  x: number,
  params: PageHinkleyParams,
): { state: PageHinkleyState; signal: AnomalySignal } {
  const { mean: mu, std } = checkBaseline(params.baseline);
  const delta = params.delta ?? 0.5;
  const lambda = params.lambda ?? 6;
  if (!Number.isFinite(x)) return { state, signal: { alarm: false, statistic: 0, direction: null } };
  const z = (x - mu) / std;
  const n = state.n + 1;
  const mean = state.mean + (z - state.mean) / n;
  const up = state.up + (z - mean - delta);
  const down = state.down + (mean - z - delta);
  const upMin = Math.min(state.upMin, up);
  const downMin = Math.min(state.downMin, down);
  const gapUp = up - upMin;
  const gapDown = down - downMin;
  const statistic = Math.max(gapUp, gapDown);
  if (statistic > lambda) {
    return {
      state: PAGE_HINKLEY_START,
      signal: { alarm: true, statistic, direction: gapUp > lambda ? "up" : "down" },
    };
  }
  return {
    state: { n, mean, up, upMin, down, downMin },
    signal: { alarm: false, statistic, direction: null },
  };
}
