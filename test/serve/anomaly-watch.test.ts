import { expect, it } from "vitest";
import {
  ANOMALY_WARMUP_POINTS,
  ANOMALY_WATCH_START,
  stepAnomalyWatch,
} from "../../src/serve/anomaly-watch.js";

const calm = (n: number) => Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0.01 : 0));

function firstAlarm(series: readonly number[]): number | null {
  let watch = ANOMALY_WATCH_START;
  for (const [i, x] of series.entries()) {
    const step = stepAnomalyWatch(watch, x);
    watch = step.watch;
    if (step.alarm !== null) return i;
  }
  return null;
}

it.each([
  ["a calm stream", calm(200), null],
  ["a jump to 20% errors after warm-up", [...calm(ANOMALY_WARMUP_POINTS), 0.2], ANOMALY_WARMUP_POINTS],
  [
    "a jump during warm-up (it becomes the baseline)",
    [0.2, ...calm(ANOMALY_WARMUP_POINTS - 1), ...calm(50)],
    null,
  ],
  [
    "fewer errors than usual",
    [...Array.from({ length: ANOMALY_WARMUP_POINTS }, () => 0.1), ...calm(50)],
    null,
  ],
  [
    "a small lasting rise (EWMA accumulates it)",
    [...calm(ANOMALY_WARMUP_POINTS), ...Array.from({ length: 20 }, () => 0.02)],
    ANOMALY_WARMUP_POINTS + 4,
  ],
  [
    "non-finite points are skipped",
    [...calm(ANOMALY_WARMUP_POINTS), Number.NaN, 0.2],
    ANOMALY_WARMUP_POINTS + 1,
  ],
] as const)("%s → first alarm at %s", (_name, series, expected) => {
  expect(firstAlarm(series)).toBe(expected);
});
