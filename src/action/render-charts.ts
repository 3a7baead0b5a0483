/**
 * Mermaid `xychart-beta` charts for the report (GitHub renders them). A
 * line in xychart-beta plots its values at evenly spaced x positions, so
 * curves with uneven x (ROC, PR) are first resampled onto an even grid.
 */
import type { ChartPoints } from "../evaluation/curves.js";

/** Grid steps of a resampled curve: 21 points, 0.05 apart. */
const GRID_STEPS = 20;

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** A label that cannot break the chart syntax. */
function quote(label: string): string {
  return `"${label.replace(/["\\\n\r]/g, " ")}"`;
}

function evenGrid(): number[] {
  return Array.from({ length: GRID_STEPS + 1 }, (_, i) => i / GRID_STEPS);
}

/**
 * ROC on an even false-positive-rate grid: the highest true positive rate
 * reached at or below each grid rate (the curve is a staircase).
 */
export function resampleRoc(points: ChartPoints): number[] {
  return evenGrid().map((g) => {
    let best = 0;
    for (let i = 0; i < points.x.length; i++) {
      if (points.x[i]! <= g + 1e-12) best = Math.max(best, points.y[i]!);
    }
    return round(best);
  });
}

/**
 * PR on an even recall grid: the interpolated precision, the highest
 * precision reached at any recall at or above the grid value (0 beyond the
 * last point).
 */
export function resamplePr(points: ChartPoints): number[] {
  return evenGrid().map((g) => {
    let best = 0;
    for (let i = 0; i < points.x.length; i++) {
      if (points.x[i]! >= g - 1e-12) best = Math.max(best, points.y[i]!);
    }
    return round(best);
  });
}

function gridAxis(title: string): string {
  return `  x-axis ${quote(title)} [${evenGrid()
    .map((g) => g.toFixed(2))
    .join(", ")}]`;
}

function fence(lines: readonly string[]): string {
  return ["```mermaid", "xychart-beta", ...lines, "```"].join("\n");
}

/** The ROC curve, with the chance diagonal for reference. */
export function renderRocChart(points: ChartPoints, auc?: number): string {
  const title = auc === undefined ? "ROC curve" : `ROC curve (AUC ${auc.toFixed(3)})`;
  return fence([
    `  title ${quote(title)}`,
    gridAxis("false positive rate"),
    `  y-axis "true positive rate" 0 --> 1`,
    `  line [${resampleRoc(points).join(", ")}]`,
    `  line [${evenGrid()
      .map((g) => round(g))
      .join(", ")}]`,
  ]);
}

/** The precision-recall curve. */
export function renderPrChart(points: ChartPoints): string {
  return fence([
    `  title "Precision-recall curve"`,
    gridAxis("recall"),
    `  y-axis "precision" 0 --> 1`,
    `  line [${resamplePr(points).join(", ")}]`,
  ]);
}

/** The `top` most important features, largest first, as bars. */
export function renderImportanceChart(importance: Readonly<Record<string, number>>, top = 10): string {
  const entries = Object.entries(importance)
    .filter(([, v]) => Number.isFinite(v))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, top);
  const max = Math.max(0, ...entries.map(([, v]) => v));
  return fence([
    `  title "Feature importance"`,
    `  x-axis [${entries.map(([name]) => quote(name)).join(", ")}]`,
    `  y-axis "importance" 0 --> ${round(max > 0 ? max : 1)}`,
    `  bar [${entries.map(([, v]) => round(v)).join(", ")}]`,
  ]);
}

/**
 * Best score so far after each trial, in trial-number order: the study's
 * progress whatever order shards finished in.
 */
export function computeBestSoFar(
  trials: readonly { number: number; score: number }[],
  direction: "maximize" | "minimize",
): { numbers: number[]; best: number[] } {
  const sorted = trials.filter((t) => Number.isFinite(t.score)).sort((a, b) => a.number - b.number);
  const numbers: number[] = [];
  const best: number[] = [];
  let current = direction === "maximize" ? -Infinity : Infinity;
  for (const trial of sorted) {
    current = direction === "maximize" ? Math.max(current, trial.score) : Math.min(current, trial.score);
    numbers.push(trial.number);
    best.push(current);
  }
  return { numbers, best };
}

/** Each trial's score and the best so far, by trial number. */
export function renderTuningChart(
  trials: readonly { number: number; score: number }[],
  metric: string,
  direction: "maximize" | "minimize",
): string {
  const { numbers, best } = computeBestSoFar(trials, direction);
  const scores = trials
    .filter((t) => Number.isFinite(t.score))
    .sort((a, b) => a.number - b.number)
    .map((t) => round(t.score));
  return fence([
    `  title ${quote(`Tuning progress (${metric}, ${direction})`)}`,
    `  x-axis "trial" [${numbers.join(", ")}]`,
    `  y-axis ${quote(metric)}`,
    `  bar [${scores.join(", ")}]`,
    `  line [${best.map(round).join(", ")}]`,
  ]);
}
