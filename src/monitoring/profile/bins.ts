/**
 * Bin counts over right-closed bins: bin 0 is `(−∞, edges[0]]`, bin i is
 * `(edges[i−1], edges[i]]`, the last is `(edges[last], ∞)`. The same
 * convention as Prometheus `le` buckets, so the server's bucket counts are
 * these bin counts; a value's bin is `lowerBound(edges, value)`.
 */
import { lowerBound } from "../../common/statistics/search.js";
import { sortFinite as sortFiniteBuckets } from "../sorting/bucket-sort.js";

/** Counts the finite values of `values` in each right-closed bin of `edges` (length edges + 1). */
export function countBins(values: Float64Array, edges: ArrayLike<number>): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === v) counts[lowerBound(edges, v)]!++;
  }
  return counts;
}

/**
 * Counts a sorted sample into right-closed bins in one pass (no binary
 * search per value): far faster for large windows.
 */
export function countBinsSorted(sorted: Float64Array, edges: ArrayLike<number>): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  let bin = 0;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i]!;
    while (bin < edges.length && v > edges[bin]!) bin++;
    counts[bin]!++;
  }
  return counts;
}

/**
 * The non-missing (non-NaN) values of a column, sorted ascending, and how
 * many were missing. Linear-time bucket sort (bucket-sort.ts): a report
 * over a million rows spends most of its time here.
 */
export function sortFinite(values: Float64Array): { sorted: Float64Array; missing: number } {
  return sortFiniteBuckets(values);
}
