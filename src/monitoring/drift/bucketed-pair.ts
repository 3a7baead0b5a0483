/**
 * Exact statistics of two large numeric windows without sorting them.
 *
 * Sorting two million values per column was most of a drift report over a
 * million rows, yet every statistic the column tests need can be had
 * exactly from much less. Both windows are counted into the same
 * equal-width buckets between the smallest and the largest value of either
 * (one pass each); bucketing is monotone in the value, so a bucket's values
 * all lie between its neighbours'. Then only the few buckets an answer
 * depends on are gathered and sorted (one more pass per window):
 * - an order statistic (a decile) lies in the bucket where the running
 *   count passes its rank;
 * - the count of values at most x needs only x's bucket;
 * - D = sup |F₁ − F₂|: at each bucket's end the difference is known from
 *   the counts, and inside a bucket it stays within the bounds its counts
 *   allow, so only buckets whose bound exceeds the largest end difference
 *   are walked value by value — with the differences formed as a walk over
 *   the sorted samples forms them, so D is the same bit for bit.
 * Skewed or few-valued data only makes the gathered buckets larger: at
 * worst one bucket holds every value, and gathering it costs about what
 * sorting the window does.
 */
import { upperBound } from "../../common/statistics/search.js";
import { walkKsDifferences } from "./ks.js";
import type { NumericPair, PairSide } from "./numeric-pair.js";
import { computeDecileEdgesOf } from "../profile/profile.js";
import { sortFinite, sortFloat64 } from "../sorting/bucket-sort.js";

/** Windows with at least this many non-missing values each are compared bucketed in reports; below, sorting is as fast. */
export const BUCKETED_PAIR_MIN_COUNT = 1 << 15;

/** Most buckets: two count tables of this many 32-bit integers stay in the L2 cache. */
const MAX_BUCKETS = 1 << 16;
/** Values of both windows per bucket on average, when the windows are small enough. */
const VALUES_PER_BUCKET = 16;

/** Largest share of a window the KS buckets may hold and still be gathered ahead of need. */
const KS_PREFETCH_SHARE = 1 / 16;

const EMPTY = new Float64Array(0);

/** Options of {@link createBucketedNumericPair}. */
export interface BucketedPairOptions {
  /** Number of buckets (default: about 16 values per bucket, at most 65,536). */
  readonly buckets?: number;
  /** Fewest non-missing values a window may have (default 1): below it, no pair. */
  readonly minCount?: number;
}

interface Grid {
  readonly min: number;
  readonly max: number;
  readonly scale: number;
  readonly buckets: number;
}

/** The bucket of a finite value in [grid.min, grid.max]. Every loop below inlines this exact expression. */
function bucketOf(grid: Grid, v: number): number {
  const b = ((v - grid.min) * grid.scale) | 0;
  return b >= grid.buckets ? grid.buckets - 1 : b;
}

interface Scan {
  readonly count: number;
  readonly min: number;
  readonly max: number;
}

function scan(values: Float64Array): Scan {
  let count = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) continue;
    count++;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { count, min, max };
}

/** One window counted into the shared buckets, with the buckets gathered so far. */
class BucketedWindow {
  readonly count: number;
  readonly missing: number;
  /** `before[b]`: values in buckets below b; `before[buckets]` is the count. */
  private readonly before: Int32Array;
  private readonly gathered = new Map<number, Float64Array>();
  private finiteValues: Float64Array | undefined;
  private sortedValues: Float64Array | undefined;

  constructor(
    private readonly raw: Float64Array,
    count: number,
    private readonly grid: Grid,
  ) {
    this.count = count;
    this.missing = raw.length - count;
    const { min, scale, buckets } = grid;
    const before = new Int32Array(buckets + 1);
    for (let i = 0; i < raw.length; i++) {
      const v = raw[i]!;
      if (v !== v) continue;
      let b = ((v - min) * scale) | 0;
      if (b >= buckets) b = buckets - 1;
      before[b + 1]!++;
    }
    for (let b = 0; b < buckets; b++) before[b + 1]! += before[b]!;
    this.before = before;
  }

  /** Values in buckets below `b`. */
  countBefore(b: number): number {
    return this.before[b]!;
  }

  /** Values in bucket `b`. */
  countIn(b: number): number {
    return this.before[b + 1]! - this.before[b]!;
  }

  /** The bucket holding the k-th smallest value (from 0). */
  bucketOfRank(k: number): number {
    // before[b + 1] counts the values up to bucket b: the first b whose count passes k.
    return upperBound(this.before, k, 1, this.grid.buckets) - 1;
  }

  /**
   * Gathers the values of `buckets` not gathered yet, in one pass over the
   * window, and sorts each bucket's values.
   */
  gather(buckets: Iterable<number>): void {
    const { min, scale, buckets: size } = this.grid;
    let offsets: Int32Array | undefined;
    let total = 0;
    const wanted: number[] = [];
    for (const b of new Set(buckets)) {
      if (this.gathered.has(b)) continue;
      const n = this.countIn(b);
      if (n === 0) {
        this.gathered.set(b, EMPTY);
        continue;
      }
      offsets ??= new Int32Array(size).fill(-1);
      offsets[b] = total;
      total += n;
      wanted.push(b);
    }
    if (offsets === undefined) return;
    const out = new Float64Array(total);
    const next = offsets.slice();
    const raw = this.raw;
    for (let i = 0; i < raw.length; i++) {
      const v = raw[i]!;
      if (v !== v) continue;
      let b = ((v - min) * scale) | 0;
      if (b >= size) b = size - 1;
      const at = next[b]!;
      if (at >= 0) {
        out[at] = v;
        next[b] = at + 1;
      }
    }
    for (const b of wanted) {
      const from = offsets[b]!;
      this.gathered.set(b, sortFloat64(out.subarray(from, from + this.countIn(b))));
    }
  }

  /** The sorted values of a gathered bucket. */
  valuesIn(b: number): Float64Array {
    const values = this.gathered.get(b);
    if (values === undefined) throw new Error(`bucket ${b} was not gathered`);
    return values;
  }

  /** The k-th smallest value (from 0); its bucket must be gathered. */
  orderStatistic(k: number): number {
    const b = this.bucketOfRank(k);
    return this.valuesIn(b)[k - this.before[b]!]!;
  }

  /** Values at most x (not NaN); x's bucket must be gathered when x lies inside the grid. */
  countAtMost(x: number): number {
    if (x < this.grid.min) return 0;
    if (x >= this.grid.max) return this.count;
    const b = bucketOf(this.grid, x);
    return this.before[b]! + upperBound(this.valuesIn(b), x);
  }

  distinct(limit: number): number[] | undefined {
    const seen: number[] = [];
    let last = Number.NaN;
    const raw = this.raw;
    for (let i = 0; i < raw.length; i++) {
      const v = raw[i]!;
      if (v !== v || v === last) continue;
      last = v;
      if (seen.includes(v)) continue;
      if (seen.length === limit) return undefined;
      seen.push(v);
    }
    return seen.sort((a, b) => a - b);
  }

  /** The non-missing values in window order: the caller's own array when nothing is missing (not to be modified). */
  values(): Float64Array {
    if (this.missing === 0) return this.raw;
    if (this.finiteValues === undefined) {
      const out = new Float64Array(this.count);
      let k = 0;
      for (let i = 0; i < this.raw.length; i++) if (this.raw[i] === this.raw[i]) out[k++] = this.raw[i]!;
      this.finiteValues = out;
    }
    return this.finiteValues;
  }

  sorted(): Float64Array {
    this.sortedValues ??= sortFinite(this.raw).sorted;
    return this.sortedValues;
  }
}

class BucketedNumericPair implements NumericPair {
  readonly reference: BucketedWindow;
  readonly current: BucketedWindow;
  /** Buckets D may peak inside (see {@link ksStatistic}). */
  private readonly ksBuckets: number[];
  /**
   * Whether the KS buckets ride along with the first gather of each window
   * (one pass less per window): only when they are a small part of it, so a
   * column tested by χ² never gathers and sorts large buckets for nothing.
   */
  private readonly prefetchKs: { reference: boolean; current: boolean };
  /** Extremes of the differences at every bucket's end. */
  private readonly endExtremes: { max: number; min: number };

  constructor(
    reference: Float64Array,
    current: Float64Array,
    private readonly grid: Grid,
    counts: { reference: number; current: number },
  ) {
    this.reference = new BucketedWindow(reference, counts.reference, grid);
    this.current = new BucketedWindow(current, counts.current, grid);
    const r = this.reference;
    const c = this.current;
    const n1 = r.count;
    const n2 = c.count;
    // At a bucket's end the difference is exact: i and j are the counts up
    // to it, as after the walk's last value in the bucket.
    let max = 0;
    let min = 0;
    for (let b = 0; b < grid.buckets; b++) {
      if (r.countIn(b) + c.countIn(b) === 0) continue;
      const diff = r.countBefore(b + 1) / n1 - c.countBefore(b + 1) / n2;
      if (diff > max) max = diff;
      if (diff < min) min = diff;
    }
    this.endExtremes = { max, min };
    const bound = Math.max(max, -min);
    // Inside bucket b, i/n1 − j/n2 lies between the bounds below (division
    // and subtraction round monotonically, so the computed bounds hold for
    // the computed differences too). Buckets within them cannot raise D.
    this.ksBuckets = [];
    for (let b = 0; b < grid.buckets; b++) {
      if (r.countIn(b) + c.countIn(b) === 0) continue;
      const upper = r.countBefore(b + 1) / n1 - c.countBefore(b) / n2;
      const lower = r.countBefore(b) / n1 - c.countBefore(b + 1) / n2;
      if (upper > bound || -lower > bound) this.ksBuckets.push(b);
    }
    const ksShare = (w: BucketedWindow) => this.ksBuckets.reduce((sum, b) => sum + w.countIn(b), 0) / w.count;
    this.prefetchKs = {
      reference: ksShare(r) <= KS_PREFETCH_SHARE,
      current: ksShare(c) <= KS_PREFETCH_SHARE,
    };
  }

  private window(side: PairSide): BucketedWindow {
    return side === "reference" ? this.reference : this.current;
  }

  private gather(side: PairSide, buckets: readonly number[]): void {
    this.window(side).gather(this.prefetchKs[side] ? [...buckets, ...this.ksBuckets] : buckets);
  }

  distinct(side: PairSide, limit: number): number[] | undefined {
    return this.window(side).distinct(limit);
  }

  referenceDecileEdges(): number[] {
    const r = this.reference;
    // The ranks are collected first, so that one pass gathers every bucket.
    const ranks: number[] = [];
    computeDecileEdgesOf(r.count, (k) => {
      ranks.push(k);
      return 0;
    });
    this.gather(
      "reference",
      ranks.map((k) => r.bucketOfRank(k)),
    );
    return computeDecileEdgesOf(r.count, (k) => r.orderStatistic(k));
  }

  countBins(side: PairSide, edges: readonly number[]): Float64Array {
    const w = this.window(side);
    const inside = edges.filter((e) => e >= this.grid.min && e < this.grid.max);
    this.gather(
      side,
      inside.map((e) => bucketOf(this.grid, e)),
    );
    const counts = new Float64Array(edges.length + 1);
    let below = 0;
    for (let i = 0; i < edges.length; i++) {
      const atMost = w.countAtMost(edges[i]!);
      counts[i] = atMost - below;
      below = atMost;
    }
    counts[edges.length] = w.count - below;
    return counts;
  }

  ksStatistic(): number {
    const r = this.reference;
    const c = this.current;
    r.gather(this.ksBuckets);
    c.gather(this.ksBuckets);
    const extremes = { ...this.endExtremes };
    for (const b of this.ksBuckets) {
      const a = r.valuesIn(b);
      const d = c.valuesIn(b);
      walkKsDifferences(
        a,
        0,
        a.length,
        r.countBefore(b),
        d,
        0,
        d.length,
        c.countBefore(b),
        r.count,
        c.count,
        extremes,
      );
    }
    return Math.max(extremes.max, -extremes.min);
  }

  sorted(side: PairSide): Float64Array {
    return this.window(side).sorted();
  }

  values(side: PairSide): Float64Array {
    return this.window(side).values();
  }
}

/**
 * Two windows of a numeric column (NaN for missing values), counted into
 * shared buckets. Undefined when buckets cannot help: a window with fewer
 * than `minCount` (at least 1) non-missing values, an infinite value, a
 * single value in both, or a span of a few subnormals.
 */
export function createBucketedNumericPair(
  reference: Float64Array,
  current: Float64Array,
  options: BucketedPairOptions = {},
): NumericPair | undefined {
  const r = scan(reference);
  const c = scan(current);
  const minCount = Math.max(1, options.minCount ?? 1);
  if (r.count < minCount || c.count < minCount) return undefined;
  const min = Math.min(r.min, c.min);
  const max = Math.max(r.max, c.max);
  const span = max - min;
  if (!Number.isFinite(span) || span === 0) return undefined;
  const buckets =
    options.buckets ??
    Math.min(MAX_BUCKETS, Math.max(16, 2 ** Math.floor(Math.log2((r.count + c.count) / VALUES_PER_BUCKET))));
  if (!Number.isInteger(buckets) || buckets < 1)
    throw new RangeError(`buckets must be a positive integer, got ${buckets}`);
  // A span of a few subnormals makes the scale infinite, and ∞ | 0 is 0:
  // no buckets then. (v − min) · scale rounding past the last bucket is
  // clamped into it, which keeps the order.
  const scale = buckets / span;
  if (!Number.isFinite(scale)) return undefined;
  const grid: Grid = { min, max, scale, buckets };
  return new BucketedNumericPair(reference, current, grid, { reference: r.count, current: c.count });
}
