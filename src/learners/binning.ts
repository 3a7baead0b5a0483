/**
 * Quantile binning of a feature matrix into at most 255 bins per feature.
 *
 * Split finding then works on small integers: a split "bin ≤ b" of feature j
 * is stored in the tree as "x ≤ thresholds[j][b]". Thresholds are float32
 * values chosen so both tests agree on every training value, and so the ONNX
 * tree (BRANCH_LEQ on float32 inputs) reproduces our predictions exactly:
 * - the threshold between the largest value `a` of bin b and the smallest
 *   value `c` of bin b+1 is their midpoint rounded to float32 — what
 *   scikit-learn's trees use, so unseen values in (a, c) go the same way;
 * - when rounding lands on `c` itself (a and c adjacent float32 values), the
 *   threshold falls back to `a`, an observed value.
 * Feature values are compared after `Math.fround`, the way ONNX sees them.
 */
import { DataError } from "../common/errors.js";
import { lowerBound } from "../common/statistics/search.js";
import { MAX_BINS_LIMIT } from "../config/learner-params.js";
import type { FeatureMatrix } from "./model.js";

/** The largest bin count a Uint8Array bin index allows (the schema's `max_bins` limit). */
export const MAX_BINS = MAX_BINS_LIMIT;

/** A feature matrix mapped to bin indices. */
export interface BinnedMatrix {
  readonly nRows: number;
  readonly nFeatures: number;
  /** Column-major bin indices: feature j of row i is `bins[j * nRows + i]`. Shared memory, so workers read it without copying. */
  readonly bins: Uint8Array;
  /** `thresholds[j][b]` is the float32 upper bound of bin b of feature j (the last bin has none). */
  readonly thresholds: readonly Float64Array[];
  /** Number of bins of each feature (≥ 1). */
  readonly nBins: Int32Array;
}

/**
 * Computes the upper bounds of a feature's bins from its values: every
 * distinct value gets its own bin when there are at most `maxBins`;
 * otherwise bins hold about equal numbers of rows, never splitting a value.
 */
export function computeBinThresholds(
  values: Float64Array,
  maxBins: number,
  featureName = "feature",
): Float64Array {
  const n = values.length;
  const sorted = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = Math.fround(values[i]!);
    if (Number.isNaN(v)) {
      throw new DataError(
        `feature "${featureName}" has a missing value (NaN) at row ${i}; impute it before training`,
      );
    }
    sorted[i] = v;
  }
  sorted.sort();
  // Distinct values and how many rows hold each.
  const distinct = new Float64Array(n);
  const counts = new Float64Array(n);
  let nDistinct = 0;
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!;
    if (nDistinct > 0 && distinct[nDistinct - 1] === v) counts[nDistinct - 1]!++;
    else {
      distinct[nDistinct] = v;
      counts[nDistinct] = 1;
      nDistinct++;
    }
  }
  const out: number[] = [];
  if (nDistinct <= maxBins) {
    for (let d = 0; d + 1 < nDistinct; d++) out.push(boundary(distinct[d]!, distinct[d + 1]!));
  } else {
    // Close a bin once the running count passes the next quantile; a value
    // heavier than one quantile simply skips the quantiles it covers.
    let cumulative = 0;
    let nextEdge = 1;
    for (let d = 0; d + 1 < nDistinct && out.length < maxBins - 1; d++) {
      cumulative += counts[d]!;
      if (cumulative >= (nextEdge * n) / maxBins) {
        out.push(boundary(distinct[d]!, distinct[d + 1]!));
        while (nextEdge < maxBins && cumulative >= (nextEdge * n) / maxBins) nextEdge++;
      }
    }
  }
  return Float64Array.from(out);
}

/** The float32 threshold between two adjacent observed float32 values a < c. */
function boundary(a: number, c: number): number {
  const mid = Math.fround(a + (c - a) / 2);
  return mid >= c || mid < a ? a : mid;
}

/**
 * Bins every feature of a matrix; `maxBins` is 2…255. Thresholds are learnt
 * from `fitRows` when given (e.g. without the early-stopping rows), and every
 * row is mapped.
 */
export function buildBinnedMatrix(X: FeatureMatrix, maxBins: number, fitRows?: Int32Array): BinnedMatrix {
  const nRows = X.nRows;
  const nFeatures = X.columns.length;
  const bins = new Uint8Array(new SharedArrayBuffer(nRows * nFeatures));
  const thresholds: Float64Array[] = [];
  const nBins = new Int32Array(nFeatures);
  for (let j = 0; j < nFeatures; j++) {
    const column = X.columns[j]!;
    let fitValues = column;
    if (fitRows !== undefined) {
      fitValues = new Float64Array(fitRows.length);
      for (let i = 0; i < fitRows.length; i++) fitValues[i] = column[fitRows[i]!]!;
    }
    const t = computeBinThresholds(fitValues, maxBins, X.names[j] ?? `column ${j}`);
    thresholds.push(t);
    nBins[j] = t.length + 1;
    const offset = j * nRows;
    for (let i = 0; i < nRows; i++) {
      const v = Math.fround(column[i]!);
      if (Number.isNaN(v)) {
        throw new DataError(
          `feature "${X.names[j] ?? `column ${j}`}" has a missing value (NaN) at row ${i}; impute it before training`,
        );
      }
      bins[offset + i] = lowerBound(t, v);
    }
  }
  return { nRows, nFeatures, bins, thresholds, nBins };
}

/**
 * Partitions `rows[start, end)` in place by one binned feature: rows whose
 * bin is at most `bin` first. Returns where the others start. Both tree
 * builders split nodes with it.
 */
export function partitionRowsByBin(
  rows: Int32Array,
  bins: Uint8Array,
  offset: number,
  start: number,
  end: number,
  bin: number,
): number {
  let i = start;
  let j = end - 1;
  while (i <= j) {
    if (bins[offset + rows[i]!]! <= bin) i++;
    else {
      const tmp = rows[i]!;
      rows[i] = rows[j]!;
      rows[j] = tmp;
      j--;
    }
  }
  return i;
}
