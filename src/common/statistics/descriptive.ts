/**
 * Descriptive statistics. The general ones come from `simple-statistics`
 * (mean, variance, sample variance, standard deviation, …): import them from
 * there. The ones below stay here, each for the reason given in it.
 */

/**
 * Median of a sorted sample: the middle value, or the mean of the two
 * middle values for an even count. NaN for an empty sample.
 */
export function computeMedianSorted(sorted: ArrayLike<number>): number {
  // Own code: NumPy's (a + b) / 2, where simple-statistics' medianSorted interpolates a + 0.5·(b − a), which can differ in the last bit.
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Mean and sum of squared deviations from it (M2) of a sample, two-pass for
 * accuracy; both 0 for an empty sample. Variance is M2 / n (ddof 0) or
 * M2 / (n − 1); M2 is what mergeable profiles store.
 */
export function computeMoments(values: Float64Array): { mean: number; m2: number } {
  // Own code: a hot loop over windows of a million values, which simple-statistics would first copy into a number[].
  const n = values.length;
  if (n === 0) return { mean: 0, m2: 0 };
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i]!;
  mean /= n;
  let m2 = 0;
  for (let i = 0; i < n; i++) m2 += (values[i]! - mean) ** 2;
  return { mean, m2 };
}

/** Population standard deviation (ddof 0), two-pass for accuracy; 0 for an empty sample. */
export function computePopulationStd(values: Float64Array): number {
  const n = values.length;
  return n === 0 ? 0 : Math.sqrt(computeMoments(values).m2 / n);
}
