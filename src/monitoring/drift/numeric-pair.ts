/**
 * The two windows of a numeric column, as the column tests ask about them:
 * counts, distinct values, decile edges, bin counts, the KS statistic and,
 * when a method needs them, the values in order. Two implementations give
 * the same answers (except that a zero may be listed as −0 by one and +0
 * by the other among distinct values): {@link sortedNumericPair} from sorted samples (small
 * windows and the permutation calibration), and the bucketed pair in
 * bucketed-pair.ts, which answers for large windows without sorting them.
 */
import { computeKsStatistic } from "./ks.js";
import { computeDecileEdges } from "../profile/profile.js";
import { countBinsSorted } from "../profile/bins.js";

/** Which window of the pair. */
export type PairSide = "reference" | "current";

/** Non-missing and missing values of one window. */
export interface WindowCounts {
  readonly count: number;
  readonly missing: number;
}

/** Two windows of one numeric column. */
export interface NumericPair {
  readonly reference: WindowCounts;
  readonly current: WindowCounts;
  /** The distinct non-missing values of a window, ascending; undefined when it has more than `limit`. */
  distinct(side: PairSide, limit: number): number[] | undefined;
  /** Strictly increasing decile edges of the reference window (profile.ts's `computeDecileEdges`). */
  referenceDecileEdges(): number[];
  /** Counts of a window's values in right-closed bins (quantiles.ts's `countBinsSorted`); `edges` finite and strictly increasing. */
  countBins(side: PairSide, edges: readonly number[]): Float64Array;
  /** D = sup |F_reference − F_current|, bit for bit the value of ks.ts's `computeKsStatistic`. */
  ksStatistic(): number;
  /** A window's non-missing values in ascending order. */
  sorted(side: PairSide): Float64Array;
  /** A window's non-missing values in any order (cheaper than {@link sorted} when order does not matter). */
  values(side: PairSide): Float64Array;
}

/** One window as a sorted sample: non-missing values ascending, and the missing count. */
export interface SortedSample {
  readonly sorted: Float64Array;
  readonly missing: number;
}

function distinctSorted(sorted: Float64Array, limit: number): number[] | undefined {
  const out: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i]!;
    if (out.length === 0 || out[out.length - 1] !== v) {
      if (out.length === limit) return undefined;
      out.push(v);
    }
  }
  return out;
}

/** A pair over two sorted samples. */
export function sortedNumericPair(reference: SortedSample, current: SortedSample): NumericPair {
  const pick = (side: PairSide): Float64Array => (side === "reference" ? reference.sorted : current.sorted);
  return {
    reference: { count: reference.sorted.length, missing: reference.missing },
    current: { count: current.sorted.length, missing: current.missing },
    distinct: (side, limit) => distinctSorted(pick(side), limit),
    referenceDecileEdges: () => computeDecileEdges(reference.sorted),
    countBins: (side, edges) => countBinsSorted(pick(side), edges),
    ksStatistic: () => computeKsStatistic(reference.sorted, current.sorted),
    sorted: pick,
    values: pick,
  };
}
