/** Quantiles of samples: NumPy's linear interpolation, and the nearest rank for latency percentiles. */

/**
 * The q-quantile of a sample of `n` values by linear interpolation between
 * order statistics (NumPy's default, "linear"); `orderStatistic(k)` is the
 * k-th smallest value, from 0. NaN for an empty sample.
 */
export function computeQuantileOf(n: number, q: number, orderStatistic: (k: number) => number): number {
  // Own code, not simple-statistics' quantileSorted: bucketed windows give order statistics without a sorted array.
  if (n === 0) return Number.NaN;
  const position = q * (n - 1);
  const lo = Math.floor(position);
  const hi = Math.min(lo + 1, n - 1);
  const frac = position - lo;
  const low = orderStatistic(lo);
  return low + (orderStatistic(hi) - low) * frac;
}

/** The q-quantile of a sorted sample (see {@link computeQuantileOf}). */
export function computeSortedQuantile(sorted: ArrayLike<number>, q: number): number {
  return computeQuantileOf(sorted.length, q, (k) => sorted[k]!);
}

/**
 * The q-quantile by the nearest rank: the ⌈q·n⌉-th smallest value of a
 * sorted sample (NumPy's "inverted_cdf"), always an observed value — what a
 * latency p99 reports. NaN for an empty sample.
 */
export function computeNearestRankQuantile(sorted: ArrayLike<number>, q: number): number {
  // Own code: simple-statistics' quantileSorted interpolates, and its nearest-rank variant averages at whole ranks.
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  return sorted[Math.max(0, Math.min(n - 1, Math.ceil(q * n) - 1))]!;
}
