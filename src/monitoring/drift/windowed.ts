/**
 * Windowed drift for the model server. The server exports each numeric
 * input as a Prometheus histogram whose buckets are the reference profile's
 * decile edges, so bucket counts from any number of replicas simply add up;
 * these pure functions turn the summed counts into a test. The server only
 * counts. Categorical inputs are exported the same way, one counter per
 * kept category plus "other" and "new".
 */
import { computeChiSquaredTest } from "./chi-squared.js";
import { computePsi } from "./distances.js";
import { kolmogorovSf } from "../../common/statistics/kolmogorov.js";
import type { CategoricalColumnProfile, NumericColumnProfile, ReferenceProfile } from "../profile/profile.js";
import { computeNullRateTest } from "./proportions.js";

/** Histogram layout of one numeric feature. */
export interface WindowBuckets {
  readonly name: string;
  /** Prometheus `le` upper bounds, ascending; the implicit `+Inf` bucket follows. */
  readonly upperBounds: readonly number[];
}

/** The histogram bucket bounds for every numeric column of a profile. */
export function buildWindowBuckets(profile: ReferenceProfile): WindowBuckets[] {
  return profile.columns
    .filter((c): c is NumericColumnProfile => c.kind === "numeric")
    .map((c) => ({ name: c.name, upperBounds: [...c.bin_edges] }));
}

/**
 * Per-bucket counts from Prometheus' cumulative buckets (`le` = each bound,
 * then `+Inf`). Throws when the cumulative counts decrease (a scrape of
 * inconsistent series).
 */
export function countsFromCumulative(cumulative: readonly number[]): number[] {
  const counts: number[] = [];
  let previous = 0;
  for (const [i, c] of cumulative.entries()) {
    if (!(c >= previous))
      throw new RangeError(`cumulative bucket ${i} (${c}) is below the one before (${previous})`);
    counts.push(c - previous);
    previous = c;
  }
  return counts;
}

/** The drift verdict of one numeric feature's window. */
export interface WindowDrift {
  readonly name: string;
  readonly n: number;
  /** Chi-squared homogeneity on the bucket counts against the reference bin counts. */
  readonly chi2: { readonly statistic: number; readonly pValue: number };
  /**
   * KS on the binned CDFs: max |F_ref − F_cur| over the bucket bounds, a
   * lower bound of the raw-data D, with the asymptotic Kolmogorov p-value
   * (conservative, because of the binning).
   */
  readonly ks: { readonly statistic: number; readonly pValue: number };
  readonly psi: number;
  /** Missing-value rate test, when the window counts missing values. */
  readonly nullRate: { readonly statistic: number; readonly pValue: number } | null;
  /** "insufficient data" when the window holds no value. */
  readonly insufficient?: string;
}

/** The null-rate test of a window of `n` values and `missing` missing ones, or null when neither side has a missing value. */
function windowNullRate(
  column: NumericColumnProfile | CategoricalColumnProfile,
  n: number,
  missing: number,
): { readonly statistic: number; readonly pValue: number } | null {
  if (missing === 0 && column.null_count === 0) return null;
  return computeNullRateTest(column.null_count, column.count + column.null_count, missing, n + missing);
}

/**
 * Tests one feature's window: `counts` are the per-bucket counts (one more
 * than the profile's bin edges), `missing` the window's missing values.
 */
export function computeWindowDrift(
  column: NumericColumnProfile,
  counts: readonly number[],
  missing = 0,
): WindowDrift {
  if (counts.length !== column.bin_counts.length) {
    throw new RangeError(
      `feature ${JSON.stringify(column.name)}: expected ${column.bin_counts.length} bucket counts (the profile's bins), got ${counts.length}`,
    );
  }
  const n = counts.reduce((s, c) => s + c, 0);
  const nRef = column.count;
  const nullRate = windowNullRate(column, n, missing);
  if (n === 0 || nRef === 0) {
    return {
      name: column.name,
      n,
      chi2: { statistic: 0, pValue: 1 },
      ks: { statistic: 0, pValue: 1 },
      psi: 0,
      nullRate: nullRate && { statistic: nullRate.statistic, pValue: nullRate.pValue },
      insufficient: "insufficient data: the window or the reference has no values",
    };
  }
  const chi = computeChiSquaredTest(column.bin_counts, counts);
  let cumRef = 0;
  let cumCur = 0;
  let d = 0;
  for (let i = 0; i < counts.length; i++) {
    cumRef += column.bin_counts[i]!;
    cumCur += counts[i]!;
    d = Math.max(d, Math.abs(cumRef / nRef - cumCur / n));
  }
  const en = Math.max(1, Math.round((nRef * n) / (nRef + n)));
  return {
    name: column.name,
    n,
    chi2: { statistic: chi.statistic, pValue: chi.pValue },
    ks: { statistic: d, pValue: kolmogorovSf(en, d) },
    psi: computePsi(column.bin_counts, counts),
    nullRate: nullRate && { statistic: nullRate.statistic, pValue: nullRate.pValue },
  };
}

/**
 * Counts of one categorical feature's window, in the layout the server
 * exports: one count per category the profile kept (its top-k, in the
 * profile's order), values outside them that training saw ("other"), and
 * values training never saw ("new"). Counts from several replicas add up
 * entry by entry.
 */
export interface CategoryWindowCounts {
  /** One count per entry of the profile's `categories`. */
  readonly categories: readonly number[];
  readonly other: number;
  readonly new: number;
}

/** The drift verdict of one categorical feature's window. */
export interface CategoryWindowDrift {
  readonly name: string;
  /** Non-missing values in the window. */
  readonly n: number;
  /**
   * Chi-squared homogeneity of the window against the reference
   * frequencies: the kept categories, then one column for everything
   * outside them (the reference's "other" against the window's other + new),
   * as `compareCategories` builds it for batch drift.
   */
  readonly chi2: { readonly statistic: number; readonly pValue: number };
  readonly psi: number;
  /** Values training never saw. */
  readonly newValues: number;
  /** Missing-value rate test, when either side has missing values. */
  readonly nullRate: { readonly statistic: number; readonly pValue: number } | null;
  /** "insufficient data" when the window or the reference holds no value. */
  readonly insufficient?: string;
}

/** Tests one categorical feature's window (`missing`: the window's missing values). */
export function computeCategoryWindowDrift(
  column: CategoricalColumnProfile,
  counts: CategoryWindowCounts,
  missing = 0,
): CategoryWindowDrift {
  if (counts.categories.length !== column.categories.length) {
    throw new RangeError(
      `feature ${JSON.stringify(column.name)}: expected ${column.categories.length} category counts (the profile's categories), got ${counts.categories.length}`,
    );
  }
  const outside = counts.other + counts.new;
  const ref = [...column.category_counts];
  const cur = [...counts.categories];
  if (column.other_count > 0 || outside > 0) {
    ref.push(column.other_count);
    cur.push(outside);
  }
  const n = cur.reduce((s, c) => s + c, 0);
  const nRef = column.count;
  const nullRate = windowNullRate(column, n, missing);
  const base = {
    name: column.name,
    n,
    newValues: counts.new,
    nullRate: nullRate && { statistic: nullRate.statistic, pValue: nullRate.pValue },
  };
  if (n === 0 || nRef === 0) {
    return {
      ...base,
      chi2: { statistic: 0, pValue: 1 },
      psi: 0,
      insufficient: "insufficient data: the window or the reference has no values",
    };
  }
  const chi = computeChiSquaredTest(ref, cur);
  return { ...base, chi2: { statistic: chi.statistic, pValue: chi.pValue }, psi: computePsi(ref, cur) };
}
