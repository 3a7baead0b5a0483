/**
 * Watches one metric stream of a served model (its error rate per tick) for
 * anomalies: the first points learn the in-control level, then an EWMA
 * chart (monitoring's) raises an alarm when the stream moves up. Pure: the
 * server keeps the state and feeds one point per tick with enough requests.
 */
import {
  EMPTY_WARMUP,
  finishWarmup,
  stepWarmup,
  type Baseline,
  type WarmupState,
} from "../monitoring/anomaly/baseline.js";
import { EWMA_START, stepEwma, type EwmaState } from "../monitoring/anomaly/ewma.js";

/** Points used to learn the in-control level. */
export const ANOMALY_WARMUP_POINTS = 30;
/**
 * Floor of the learned std: a model that never failed during warm-up would
 * otherwise alarm on its first error. One percentage point of error rate.
 */
export const ANOMALY_MIN_STD = 0.01;

/** State of one watched stream. */
export interface AnomalyWatch {
  readonly warmup: WarmupState;
  readonly baseline: Baseline | null;
  readonly ewma: EwmaState;
}

/** A fresh watch. */
export const ANOMALY_WATCH_START: AnomalyWatch = { warmup: EMPTY_WARMUP, baseline: null, ewma: EWMA_START };

/** Feeds one point; `alarm` is set when the stream rose out of control at this point. */
export function stepAnomalyWatch(
  watch: AnomalyWatch,
  x: number,
): { watch: AnomalyWatch; alarm: { statistic: number; baseline: Baseline } | null } {
  if (!Number.isFinite(x)) return { watch, alarm: null };
  if (watch.baseline === null) {
    const warmup = stepWarmup(watch.warmup, x);
    const baseline = warmup.n >= ANOMALY_WARMUP_POINTS ? finishWarmup(warmup, ANOMALY_MIN_STD) : null;
    return { watch: { ...watch, warmup, baseline }, alarm: null };
  }
  const { state, signal } = stepEwma(watch.ewma, x, { baseline: watch.baseline });
  const next = { ...watch, ewma: state };
  // Only a rise is an incident; fewer errors than usual is not.
  return signal.alarm && signal.direction === "up"
    ? { watch: next, alarm: { statistic: signal.statistic, baseline: watch.baseline } }
    : { watch: next, alarm: null };
}
