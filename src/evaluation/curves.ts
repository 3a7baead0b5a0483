/**
 * ROC and precision-recall curves for one positive class, computed as
 * scikit-learn does (`_binary_clf_curve`): rows sorted by descending score,
 * one point per distinct score, so tied scores move the curve in one step.
 */
import { DataError } from "../common/errors.js";

/** Cumulative counts at each distinct score, highest score first. */
export interface BinaryCurveCounts {
  /** Distinct scores, descending. */
  readonly thresholds: Float64Array;
  /** True positives among rows scoring ≥ the threshold. */
  readonly tps: Float64Array;
  /** False positives among rows scoring ≥ the threshold. */
  readonly fps: Float64Array;
}

/** A ROC curve: points (fpr, tpr), starting at (0, 0) with threshold +∞. */
export interface RocCurve {
  readonly fpr: Float64Array;
  readonly tpr: Float64Array;
  readonly thresholds: Float64Array;
}

/**
 * A precision-recall curve in scikit-learn's order: recall decreasing, then
 * the final point (recall 0, precision 1), which has no threshold.
 */
export interface PrCurve {
  readonly precision: Float64Array;
  readonly recall: Float64Array;
  readonly thresholds: Float64Array;
}

/**
 * Counts true and false positives at each distinct score.
 *
 * @param positive 1 for a positive row, 0 otherwise.
 * @throws DataError when a score is not finite or the lengths differ.
 */
export function computeBinaryCurveCounts(
  positive: ArrayLike<number>,
  scores: ArrayLike<number>,
): BinaryCurveCounts {
  const n = positive.length;
  if (scores.length !== n) throw new DataError(`${scores.length} scores for ${n} labels`);
  if (n === 0) throw new DataError("cannot compute a curve from zero rows");
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(scores[i]!))
      throw new DataError(`score ${scores[i]} at row ${i + 1} is not a finite number`);
  }
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const thresholds: number[] = [];
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r]!;
    tp += positive[i]! === 1 ? 1 : 0;
    const last = r === n - 1 || scores[order[r + 1]!]! !== scores[i]!;
    if (last) {
      thresholds.push(scores[i]!);
      tps.push(tp);
      fps.push(r + 1 - tp);
    }
  }
  return {
    thresholds: Float64Array.from(thresholds),
    tps: Float64Array.from(tps),
    fps: Float64Array.from(fps),
  };
}

/**
 * The ROC curve. With `dropIntermediate` (scikit-learn's default), points
 * on a straight segment are dropped; the area does not change.
 *
 * @throws DataError when only one class is present: the curve is undefined.
 */
export function computeRocCurve(
  positive: ArrayLike<number>,
  scores: ArrayLike<number>,
  dropIntermediate = true,
): RocCurve {
  const counts = computeBinaryCurveCounts(positive, scores);
  const m = counts.tps.length;
  const totalPositive = counts.tps[m - 1]!;
  const totalNegative = counts.fps[m - 1]!;
  if (totalPositive === 0 || totalNegative === 0) {
    throw new DataError(
      `the ROC curve is undefined: y_true holds only ${totalPositive === 0 ? "negative" : "positive"} rows (one class present)`,
    );
  }
  let keep = Array.from({ length: m }, (_, i) => i);
  if (dropIntermediate && m > 2) {
    // Keep a point when the curve bends there: a change in either slope.
    keep = keep.filter(
      (i) =>
        i === 0 ||
        i === m - 1 ||
        counts.fps[i + 1]! - 2 * counts.fps[i]! + counts.fps[i - 1]! !== 0 ||
        counts.tps[i + 1]! - 2 * counts.tps[i]! + counts.tps[i - 1]! !== 0,
    );
  }
  const fpr = new Float64Array(keep.length + 1);
  const tpr = new Float64Array(keep.length + 1);
  const thresholds = new Float64Array(keep.length + 1);
  thresholds[0] = Infinity;
  keep.forEach((i, p) => {
    fpr[p + 1] = counts.fps[i]! / totalNegative;
    tpr[p + 1] = counts.tps[i]! / totalPositive;
    thresholds[p + 1] = counts.thresholds[i]!;
  });
  return { fpr, tpr, thresholds };
}

/**
 * The precision-recall curve (scikit-learn's `precision_recall_curve`).
 *
 * @throws DataError when y_true holds no positive row: recall is undefined.
 */
export function computePrCurve(positive: ArrayLike<number>, scores: ArrayLike<number>): PrCurve {
  const counts = computeBinaryCurveCounts(positive, scores);
  const m = counts.tps.length;
  const totalPositive = counts.tps[m - 1]!;
  if (totalPositive === 0)
    throw new DataError("the precision-recall curve is undefined: y_true holds no positive row");
  const precision = new Float64Array(m + 1);
  const recall = new Float64Array(m + 1);
  const thresholds = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const r = m - 1 - i;
    const predicted = counts.tps[r]! + counts.fps[r]!;
    precision[i] = predicted > 0 ? counts.tps[r]! / predicted : 0;
    recall[i] = counts.tps[r]! / totalPositive;
    thresholds[i] = counts.thresholds[r]!;
  }
  precision[m] = 1;
  recall[m] = 0;
  return { precision, recall, thresholds };
}

/** Chart-ready points. */
export interface ChartPoints {
  readonly x: number[];
  readonly y: number[];
}

/**
 * Picks at most `maxPoints` points, evenly spaced along the curve and
 * always keeping both ends, so a chart stays small whatever the row count.
 */
export function downsampleCurve(x: ArrayLike<number>, y: ArrayLike<number>, maxPoints = 50): ChartPoints {
  const n = x.length;
  if (y.length !== n) throw new DataError(`a curve needs as many y as x values (${y.length} vs ${n})`);
  if (!Number.isInteger(maxPoints) || maxPoints < 2)
    throw new DataError(`maxPoints must be a whole number ≥ 2, got ${maxPoints}`);
  if (n <= maxPoints) return { x: Array.from(x), y: Array.from(y) };
  const picks = new Set<number>();
  for (let p = 0; p < maxPoints; p++) picks.add(Math.round((p * (n - 1)) / (maxPoints - 1)));
  const indices = [...picks].sort((a, b) => a - b);
  return { x: indices.map((i) => x[i]!), y: indices.map((i) => y[i]!) };
}

/** Chart-ready ROC and PR curves for one class against the rest. */
export interface ClassCurves {
  /** Class code the curves score as positive. */
  readonly classIndex: number;
  /** ROC points: x = false positive rate, y = true positive rate. */
  readonly roc: ChartPoints;
  /** PR points: x = recall, y = precision, recall increasing. */
  readonly pr: ChartPoints;
}

/**
 * ROC and PR chart points from class probabilities (n × k, row-major): the
 * positive (last) class for a binary task, each class one-vs-rest for a
 * multiclass one. Classes whose curves are undefined (absent from y_true, or
 * the only class present) are left out. Each curve has at most `maxPoints`.
 */
export function computeChartCurves(
  yTrue: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  nClasses: number,
  maxPoints = 50,
): ClassCurves[] {
  const n = yTrue.length;
  if (probabilities.length !== n * nClasses) {
    throw new DataError(
      `expected ${n} × ${nClasses} = ${n * nClasses} probabilities, got ${probabilities.length}`,
    );
  }
  const classes = nClasses === 2 ? [1] : Array.from({ length: nClasses }, (_, k) => k);
  const out: ClassCurves[] = [];
  for (const k of classes) {
    const positive = Uint8Array.from({ length: n }, (_, i) => (yTrue[i] === k ? 1 : 0));
    const scores = Float64Array.from({ length: n }, (_, i) => probabilities[i * nClasses + k]!);
    let positives = 0;
    for (const p of positive) positives += p;
    if (positives === 0 || positives === n) continue;
    const roc = computeRocCurve(positive, scores);
    const pr = computePrCurve(positive, scores);
    out.push({
      classIndex: k,
      roc: downsampleCurve(roc.fpr, roc.tpr, maxPoints),
      pr: downsampleCurve(pr.recall.slice().reverse(), pr.precision.slice().reverse(), maxPoints),
    });
  }
  return out;
}
