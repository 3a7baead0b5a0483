/**
 * Reference profiles: a compact, mergeable summary of the training data,
 * stored with the model (in its card) and used as the reference when the
 * raw training rows are not at hand (`drift --reference <model-ref>`, the
 * server's drift windows).
 *
 * Numeric column: a DDSketch (quantiles within ±1 % relative), counts in
 * fixed bins at the reference deciles, mergeable moments (count, mean, sum of
 * squared deviations), min, max, missing count, and the value counts when the
 * column holds few distinct values. Categorical column: the most frequent
 * values with their counts, an "other" count, and the missing count.
 */
import { z } from "zod";
import { DataError } from "../../common/errors.js";
import type { Column, Frame } from "../../data/frame.js";
import { computeMoments } from "../../common/statistics/descriptive.js";
import { computeQuantileOf } from "../../common/statistics/quantiles.js";
import { countBinsSorted, sortFinite } from "./bins.js";
import { buildSketch, encodeSketch, mergeEncodedSketches, sketchQuantile } from "./sketch.js";
import { decodeSketch } from "./sketch.js";

/** Most distinct values a numeric column may have to keep its exact value counts. */
export const DISCRETE_MAX_VALUES = 20;
/** Categories kept per categorical column; the rest are counted as "other". */
export const DEFAULT_TOP_K = 100;
/** Interior bin edges: the deciles 0.1 … 0.9. */
export const DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] as const;

const count = z.number().int().nonnegative();

/** Profile of one numeric column. */
export const NumericColumnProfile = z.object({
  kind: z.literal("numeric"),
  name: z.string().describe("Column name as in the data"),
  count: count.describe("Non-missing values"),
  null_count: count.describe("Missing values"),
  mean: z.number().describe("Mean of the non-missing values (0 when there are none)"),
  m2: z
    .number()
    .nonnegative()
    .describe("Sum of squared deviations from the mean (merges exactly, Chan et al.)"),
  min: z.number().nullable().describe("Smallest value, null when there are none"),
  max: z.number().nullable().describe("Largest value, null when there are none"),
  sketch: z.string().describe("DDSketch protobuf, base64, relative accuracy 0.01"),
  bin_edges: z
    .array(z.number())
    .describe("Right-closed bin edges at the reference deciles, strictly increasing (ties merged)"),
  bin_counts: z.array(z.number().nonnegative()).describe("Values per bin; one more entry than bin_edges"),
  values: z
    .array(z.number())
    .nullable()
    .describe(`The distinct values when there are at most ${DISCRETE_MAX_VALUES}, ascending; else null`),
  value_counts: z.array(count).nullable().describe("Count of each entry of values"),
});
/** Profile of one numeric column. */
export type NumericColumnProfile = z.infer<typeof NumericColumnProfile>;

/** Profile of one categorical column. */
export const CategoricalColumnProfile = z.object({
  kind: z.literal("categorical"),
  name: z.string().describe("Column name as in the data"),
  count: count.describe("Non-missing values"),
  null_count: count.describe("Missing values"),
  categories: z.array(z.string()).describe("Most frequent values, most frequent first"),
  category_counts: z.array(count).describe("Count of each entry of categories"),
  other_count: count.describe("Values outside the kept categories"),
});
/** Profile of one categorical column. */
export type CategoricalColumnProfile = z.infer<typeof CategoricalColumnProfile>;

/** Profile of one column. */
export const ColumnProfile = z.discriminatedUnion("kind", [NumericColumnProfile, CategoricalColumnProfile]);
/** Profile of one column. */
export type ColumnProfile = z.infer<typeof ColumnProfile>;

/** The reference profile stored with a model. */
export const ReferenceProfile = z.object({
  version: z.literal(1),
  n_rows: count.describe("Rows summarised"),
  columns: z.array(ColumnProfile).describe("One entry per column, in data order"),
});
/** The reference profile stored with a model. */
export type ReferenceProfile = z.infer<typeof ReferenceProfile>;

/** Options for {@link buildReferenceProfile}. */
export interface ProfileOptions {
  /** Categories kept per categorical column (default {@link DEFAULT_TOP_K}). */
  readonly topK?: number;
  /**
   * Bin edges to count into, by column name, instead of this frame's own
   * deciles. Replicas that profile their share of rows pass the
   * reference's edges so their bin counts add up exactly.
   */
  readonly binEdges?: Readonly<Record<string, readonly number[]>>;
}

/** Strictly increasing decile edges of a sorted sample (ties collapse into one edge). */
export function computeDecileEdges(sorted: Float64Array): number[] {
  return computeDecileEdgesOf(sorted.length, (k) => sorted[k]!);
}

/**
 * Strictly increasing decile edges of a sample of `n` values given by its
 * order statistics (`orderStatistic(k)`, the k-th smallest from 0).
 */
export function computeDecileEdgesOf(n: number, orderStatistic: (k: number) => number): number[] {
  const edges: number[] = [];
  if (n === 0) return edges;
  for (const q of DECILES) {
    const e = computeQuantileOf(n, q, orderStatistic);
    if (edges.length === 0 || e > edges[edges.length - 1]!) edges.push(e);
  }
  return edges;
}

function profileNumeric(
  name: string,
  values: Float64Array,
  edgesOverride?: readonly number[],
): NumericColumnProfile {
  const { sorted, missing } = sortFinite(values);
  const n = sorted.length;
  const { mean, m2 } = computeMoments(sorted);
  const edges = edgesOverride ? [...edgesOverride] : computeDecileEdges(sorted);
  const distinct: number[] = [];
  const distinctCounts: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!;
    if (distinct.length > 0 && distinct[distinct.length - 1] === v)
      distinctCounts[distinctCounts.length - 1]!++;
    else {
      if (distinct.length === DISCRETE_MAX_VALUES) {
        distinct.length = 0;
        distinctCounts.length = 0;
        break;
      }
      distinct.push(v);
      distinctCounts.push(1);
    }
  }
  const discrete = n > 0 && distinct.length > 0;
  return {
    kind: "numeric",
    name,
    count: n,
    null_count: missing,
    mean,
    m2,
    min: n > 0 ? sorted[0]! : null,
    max: n > 0 ? sorted[n - 1]! : null,
    sketch: encodeSketch(buildSketch(sorted)),
    bin_edges: edges,
    bin_counts: Array.from(countBinsSorted(sorted, edges)),
    values: discrete ? distinct : null,
    value_counts: discrete ? distinctCounts : null,
  };
}

function topCategories(
  counts: ReadonlyMap<string, number>,
  topK: number,
): { categories: string[]; categoryCounts: number[]; other: number } {
  // Most frequent first; ties broken by value so the profile is reproducible.
  const entries = [...counts.entries()].sort(
    (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0),
  );
  const kept = entries.slice(0, topK);
  let other = 0;
  for (const [, c] of entries.slice(topK)) other += c;
  return { categories: kept.map((e) => e[0]), categoryCounts: kept.map((e) => e[1]), other };
}

function profileCategorical(
  column: Extract<Column, { kind: "categorical" }>,
  topK: number,
): CategoricalColumnProfile {
  const perCode = new Float64Array(column.dictionary.length);
  let missing = 0;
  for (let i = 0; i < column.codes.length; i++) {
    const c = column.codes[i]!;
    if (c < 0) missing++;
    else perCode[c]!++;
  }
  const counts = new Map<string, number>();
  for (let c = 0; c < perCode.length; c++) {
    if (perCode[c]! > 0)
      counts.set(column.dictionary[c]!, (counts.get(column.dictionary[c]!) ?? 0) + perCode[c]!);
  }
  const top = topCategories(counts, topK);
  return {
    kind: "categorical",
    name: column.name,
    count: column.codes.length - missing,
    null_count: missing,
    categories: top.categories,
    category_counts: top.categoryCounts,
    other_count: top.other,
  };
}

/** Summarises every column of a frame into a reference profile. */
export function buildReferenceProfile(frame: Frame, options: ProfileOptions = {}): ReferenceProfile {
  const topK = options.topK ?? DEFAULT_TOP_K;
  if (!Number.isInteger(topK) || topK < 1)
    throw new RangeError(`topK must be a positive integer, got ${topK}`);
  const columns = frame.columns.map((column): ColumnProfile => {
    if (column.kind === "numeric")
      return profileNumeric(column.name, column.values, options.binEdges?.[column.name]);
    return profileCategorical(column, topK);
  });
  return { version: 1, n_rows: frame.nRows, columns };
}

function sameEdges(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function mergeNumeric(parts: readonly NumericColumnProfile[]): NumericColumnProfile {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  let nulls = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const p of parts) {
    nulls += p.null_count;
    if (p.count === 0) continue;
    // Chan, Golub & LeVeque's pairwise update: exact up to rounding.
    const total = n + p.count;
    const delta = p.mean - mean;
    mean += (delta * p.count) / total;
    m2 += p.m2 + (delta * delta * n * p.count) / total;
    n = total;
    min = Math.min(min, p.min ?? min);
    max = Math.max(max, p.max ?? max);
  }
  const sketch = mergeEncodedSketches(parts.map((p) => p.sketch));
  const first = parts[0]!;
  let edges = first.bin_edges;
  let binCounts: number[];
  if (parts.every((p) => sameEdges(p.bin_edges, edges))) {
    binCounts = edges.map(() => 0).concat(0);
    for (const p of parts) p.bin_counts.forEach((c, i) => (binCounts[i]! += c));
  } else {
    // Replicas with their own deciles: re-derive the deciles from the merged
    // sketch and estimate the bin counts from it (within the sketch's error).
    edges = [];
    for (const q of DECILES) {
      const e = sketchQuantile(sketch, q);
      if (Number.isFinite(e) && (edges.length === 0 || e > edges[edges.length - 1]!)) edges.push(e);
    }
    binCounts = estimateBinCounts(sketch, edges, n);
  }
  const discrete = mergeValueCounts(parts);
  return {
    kind: "numeric",
    name: first.name,
    count: n,
    null_count: nulls,
    mean,
    m2,
    min: n > 0 ? min : null,
    max: n > 0 ? max : null,
    sketch,
    bin_edges: edges,
    bin_counts: binCounts,
    values: discrete?.values ?? null,
    value_counts: discrete?.counts ?? null,
  };
}

function estimateBinCounts(encoded: string, edges: readonly number[], n: number): number[] {
  // Rank of each edge found by bisection on the sketch's quantile function.
  const sketch = decodeSketch(encoded);
  const cumulative = edges.map((edge) => {
    let lo = 0;
    let hi = 1;
    for (let it = 0; it < 40; it++) {
      const mid = (lo + hi) / 2;
      if (sketch.getValueAtQuantile(mid) <= edge) lo = mid;
      else hi = mid;
    }
    return Math.round(lo * n);
  });
  const counts: number[] = [];
  let previous = 0;
  for (const c of cumulative) {
    counts.push(Math.max(0, c - previous));
    previous = Math.max(previous, c);
  }
  counts.push(Math.max(0, n - previous));
  return counts;
}

function mergeValueCounts(
  parts: readonly NumericColumnProfile[],
): { values: number[]; counts: number[] } | undefined {
  const merged = new Map<number, number>();
  for (const p of parts) {
    if (p.count === 0) continue;
    if (p.values === null || p.value_counts === null) return undefined;
    p.values.forEach((v, i) => merged.set(v, (merged.get(v) ?? 0) + p.value_counts![i]!));
  }
  if (merged.size === 0 || merged.size > DISCRETE_MAX_VALUES) return undefined;
  const values = [...merged.keys()].sort((a, b) => a - b);
  return { values, counts: values.map((v) => merged.get(v)!) };
}

function mergeCategorical(
  parts: readonly CategoricalColumnProfile[],
  topK: number,
): CategoricalColumnProfile {
  const counts = new Map<string, number>();
  let other = 0;
  let nulls = 0;
  let n = 0;
  for (const p of parts) {
    p.categories.forEach((c, i) => counts.set(c, (counts.get(c) ?? 0) + p.category_counts[i]!));
    other += p.other_count;
    nulls += p.null_count;
    n += p.count;
  }
  const top = topCategories(counts, topK);
  return {
    kind: "categorical",
    name: parts[0]!.name,
    count: n,
    null_count: nulls,
    categories: top.categories,
    category_counts: top.categoryCounts,
    other_count: other + top.other,
  };
}

/**
 * Merges profiles of disjoint sets of rows (replicas, shards) into the
 * profile of all of them. Counts, moments, missing counts and — when every
 * part used the same bin edges — bin counts merge exactly; quantiles stay
 * within the sketch's relative error; categorical counts are exact while the
 * union of kept categories fits in `topK`.
 *
 * @throws DataError when the profiles do not describe the same columns.
 */
export function mergeProfiles(
  profiles: readonly ReferenceProfile[],
  options: { topK?: number } = {},
): ReferenceProfile {
  if (profiles.length === 0) throw new DataError("mergeProfiles needs at least one profile");
  const first = profiles[0]!;
  const names = first.columns.map((c) => `${c.name}:${c.kind}`).join(", ");
  profiles.forEach((p, i) => {
    const these = p.columns.map((c) => `${c.name}:${c.kind}`).join(", ");
    if (these !== names) {
      throw new DataError(
        `profile ${i} has columns [${these}] but profile 0 has [${names}]; only profiles of the same columns merge`,
      );
    }
  });
  const topK = options.topK ?? DEFAULT_TOP_K;
  const columns = first.columns.map((column, j): ColumnProfile => {
    if (column.kind === "numeric")
      return mergeNumeric(profiles.map((p) => p.columns[j] as NumericColumnProfile));
    return mergeCategorical(
      profiles.map((p) => p.columns[j] as CategoricalColumnProfile),
      topK,
    );
  });
  return { version: 1, n_rows: profiles.reduce((s, p) => s + p.n_rows, 0), columns };
}

/** Sample standard deviation (ddof 0) of a profiled numeric column; 0 when it has fewer than 2 values. */
export function profileStd(column: NumericColumnProfile): number {
  return column.count > 0 ? Math.sqrt(column.m2 / column.count) : 0;
}
