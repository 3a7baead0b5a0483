/**
 * Prediction drift: the univariate tests applied to what the model outputs —
 * its scores (a numeric column per output) and its predicted labels (a
 * categorical column) — so a shift in behaviour shows even before labels
 * arrive.
 */
import type { Column, Frame } from "../../data/frame.js";
import { computeDriftReport, type DriftOptions, type DriftReport } from "./report.js";

/** The outputs of a model on one window. */
export interface PredictionWindow {
  /** Row-major scores, `nRows × nOutputs` (the learners' and server's layout). */
  readonly scores: Float64Array;
  readonly nOutputs: number;
  /** Predicted class per row (index into `classes`), for classifiers. */
  readonly labels?: Int32Array;
  /** Class names, in label-index order. */
  readonly classes?: readonly string[];
}

function toFrame(window: PredictionWindow): Frame {
  const nRows = window.nOutputs > 0 ? Math.floor(window.scores.length / window.nOutputs) : 0;
  const columns: Column[] = [];
  for (let k = 0; k < window.nOutputs; k++) {
    const values = new Float64Array(nRows);
    for (let i = 0; i < nRows; i++) values[i] = window.scores[i * window.nOutputs + k]!;
    columns.push({ kind: "numeric", name: window.nOutputs === 1 ? "score" : `score[${k}]`, values });
  }
  if (window.labels) {
    const dictionary =
      window.classes ?? Array.from({ length: Math.max(0, ...window.labels) + 1 }, (_, c) => String(c));
    columns.push({ kind: "categorical", name: "label", codes: window.labels, dictionary });
  }
  return { nRows, columns };
}

/**
 * Compares the model's outputs on a current window with those on the
 * reference window, with the same tests and decision as data drift.
 */
export async function computePredictionDrift(
  reference: PredictionWindow,
  current: PredictionWindow,
  options: Omit<DriftOptions, "multivariate"> = {},
): Promise<DriftReport> {
  if (reference.nOutputs !== current.nOutputs) {
    throw new RangeError(
      `prediction windows differ in outputs per row: reference ${reference.nOutputs}, current ${current.nOutputs}`,
    );
  }
  return computeDriftReport(toFrame(reference), toFrame(current), { ...options, multivariate: false });
}
