/** Exact quantiles and bin lookups on sorted typed arrays. */
import { sortFinite as sortFiniteBuckets } from "../sorting/bucket-sort.js";

/**
 * The q-quantile of a sample of `n` values by linear interpolation between
 * order statistics (NumPy's default, "linear"); `orderStatistic(k)` is the
 * k-th smallest value, from 0. NaN for an empty sample.
 */
export function computeQuantileOf(n: number, q: number, orderStatistic: (k: number) => number): number {
  if (n === 0) return Number.NaN;
  const position = q * (n - 1);
  const lo = Math.floor(position);
  const hi = Math.min(lo + 1, n - 1);
  const frac = position - lo;
  const low = orderStatistic(lo);
  return low + (orderStatistic(hi) - low) * frac;
}

/** The q-quantile of a sorted sample (see {@link computeQuantileOf}). */
export function computeSortedQuantile(sorted: Float64Array, q: number): number {
  return computeQuantileOf(sorted.length, q, (k) => sorted[k]!);
}

/**
 * Index of the right-closed bin holding `value`: bin 0 is `(−∞, edges[0]]`,
 * bin i is `(edges[i−1], edges[i]]`, the last is `(edges[last], ∞)`. The same
 * convention as Prometheus `le` buckets, so the server's bucket counts are
 * these bin counts.
 */
export function findBin(edges: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Counts the finite values of `values` in each right-closed bin of `edges` (length edges + 1). */
export function countBins(values: Float64Array, edges: ArrayLike<number>): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === v) counts[findBin(edges, v)]!++;
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
