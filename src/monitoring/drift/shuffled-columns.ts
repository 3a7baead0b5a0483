/**
 * The columns of a drift report prepared once for the permutation
 * calibration (min-p.ts), and the family's smallest p-value on one shuffle.
 *
 * Every test is recomputed on a shuffle exactly as report.ts computes it on
 * the observed windows (same method choice, same secondary tests), so the
 * shuffled minima are draws of the very statistic the decision uses. What
 * makes a shuffle cheap:
 * - the pooled rows of each column are sorted once; a shuffle only relabels
 *   rows, so KS is a walk over that fixed order (integer arithmetic);
 * - when one window is much smaller than the other, only the smaller
 *   window's rows are drawn and visited: KS peaks next to one of its rows,
 *   and counts of the larger window are the pooled counts minus the
 *   smaller window's;
 * - discrete numeric and categorical columns are counted per cell, then
 *   tested on the counts.
 */
import type { Column, Frame } from "../../data/frame.js";
import {
  chooseNumericMethod,
  compareCategories,
  compareNumericSamples,
  testDiscreteCounts,
  type CategoryCounts,
  type ColumnOutcome,
} from "./column-tests.js";
import { computeKsFromStatistic } from "./ks.js";
import { DISCRETE_AUTO_MAX, type MethodChoice } from "./methods.js";
import { sortedNumericPair } from "./numeric-pair.js";
import { computeNullRateTest } from "./proportions.js";
import { radixArgsortFloat64 } from "../sorting/radix-sort.js";

/** A KS column: pooled rows in value order, each row's position, and each position's tie group. */
interface KsColumn {
  readonly kind: "ks";
  /** Row at each sorted position (non-missing rows only). */
  readonly rows: Int32Array;
  /** Sorted position of each row, −1 when missing. */
  readonly rankOf: Int32Array;
  /** 1 where a tie group ends. */
  readonly groupEnd: Uint8Array;
  /** First and last position of the tie group holding each position. */
  readonly groupFirst: Int32Array;
  readonly groupLast: Int32Array;
  readonly missing: number;
}

/** A discrete numeric column (few pooled values) or a categorical one: every row's cell. */
interface CellColumn {
  readonly kind: "cells";
  readonly type: "numeric" | "categorical";
  readonly name: string;
  readonly method: MethodChoice;
  /** Cell of each row, −1 when missing. */
  readonly cellOf: Int32Array;
  /** Pooled rows per cell and pooled missing rows. */
  readonly pooled: Float64Array;
  readonly missing: number;
  /** Category text of each cell (categorical columns). */
  readonly labels: readonly string[];
}

/** Any other column: rebuilt per shuffle and run through column-tests.ts (also the reference path of the tests). */
interface GenericColumn {
  readonly kind: "generic";
  readonly name: string;
  readonly method: MethodChoice;
  readonly rows: Int32Array;
  readonly values: Float64Array;
  readonly missingRows: Int32Array;
  readonly codes?: Int32Array;
  readonly dictionary?: readonly string[];
}

/** One column ready for shuffles. */
export type ShuffledColumn = KsColumn | CellColumn | GenericColumn;

/** One shuffle's labelling: `isRef[row]`, and the rows of the smaller window. */
export interface Labels {
  readonly isRef: Uint8Array;
  readonly small: Int32Array;
  /** True when the smaller window is the reference. */
  readonly smallIsRef: boolean;
  readonly nRef: number;
  readonly nCur: number;
}

function pooledNumeric(
  ref: Float64Array,
  cur: Float64Array,
): { rows: Int32Array; values: Float64Array; missingRows: Int32Array } {
  const n = ref.length + cur.length;
  const at = (i: number) => (i < ref.length ? ref[i]! : cur[i - ref.length]!);
  let finite = 0;
  for (let i = 0; i < n; i++) if (at(i) === at(i)) finite++;
  const values = new Float64Array(finite);
  const rowOf = new Int32Array(finite);
  const missingRows = new Int32Array(n - finite);
  let f = 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = at(i);
    if (v === v) {
      values[f] = v;
      rowOf[f++] = i;
    } else missingRows[m++] = i;
  }
  const order = radixArgsortFloat64(values);
  const rows = new Int32Array(finite);
  const sorted = new Float64Array(finite);
  for (let i = 0; i < finite; i++) {
    rows[i] = rowOf[order[i]!]!;
    sorted[i] = values[order[i]!]!;
  }
  return { rows, values: sorted, missingRows };
}

function pooledCodes(ref: Column, cur: Column): { codes: Int32Array; dictionary: string[] } {
  const index = new Map<string, number>();
  const dictionary: string[] = [];
  const codeOf = (text: string) => {
    let c = index.get(text);
    if (c === undefined) {
      c = dictionary.length;
      index.set(text, c);
      dictionary.push(text);
    }
    return c;
  };
  const length = (column: Column) => (column.kind === "numeric" ? column.values.length : column.codes.length);
  const codes = new Int32Array(length(ref) + length(cur));
  let k = 0;
  for (const column of [ref, cur]) {
    if (column.kind === "categorical") {
      const map = column.dictionary.map(codeOf);
      for (let i = 0; i < column.codes.length; i++) {
        const c = column.codes[i]!;
        codes[k++] = c < 0 ? -1 : map[c]!;
      }
    } else {
      // Numbers judged as categories are compared by their shortest decimal form, as in report.ts.
      for (let i = 0; i < column.values.length; i++) {
        const v = column.values[i]!;
        codes[k++] = v !== v ? -1 : codeOf(String(v));
      }
    }
  }
  return { codes, dictionary };
}

/** Tie-group sizes of sorted values, largest first. */
function groupSizesDescending(sorted: Float64Array): number[] {
  const sizes: number[] = [];
  let start = 0;
  for (let i = 1; i <= sorted.length; i++) {
    if (i === sorted.length || sorted[i] !== sorted[i - 1]) {
      sizes.push(i - start);
      start = i;
    }
  }
  return sizes.sort((a, b) => b - a);
}

/**
 * Whether `method: auto` picks KS for every reference window a shuffle can
 * draw: the fewest distinct values a window of `size` non-missing rows can
 * hold (its rows taken from the largest tie groups) exceeds the discrete
 * limit.
 */
function alwaysKs(sorted: Float64Array, size: number): boolean {
  let covered = 0;
  let groups = 0;
  for (const s of groupSizesDescending(sorted)) {
    if (covered >= size) break;
    covered += s;
    groups++;
  }
  return groups > DISCRETE_AUTO_MAX;
}

function ksColumn(
  pooled: { rows: Int32Array; values: Float64Array; missingRows: Int32Array },
  total: number,
): KsColumn {
  const n = pooled.values.length;
  const rankOf = new Int32Array(total).fill(-1);
  const groupEnd = new Uint8Array(n);
  const groupFirst = new Int32Array(n);
  const groupLast = new Int32Array(n);
  let first = 0;
  for (let i = 0; i < n; i++) {
    rankOf[pooled.rows[i]!] = i;
    if (i > 0 && pooled.values[i] !== pooled.values[i - 1]) first = i;
    groupFirst[i] = first;
  }
  let last = n - 1;
  for (let i = n - 1; i >= 0; i--) {
    if (i < n - 1 && pooled.values[i] !== pooled.values[i + 1]) last = i;
    groupLast[i] = last;
    groupEnd[i] = i === last ? 1 : 0;
  }
  return {
    kind: "ks",
    rows: pooled.rows,
    rankOf,
    groupEnd,
    groupFirst,
    groupLast,
    missing: pooled.missingRows.length,
  };
}

function cellColumn(
  type: "numeric" | "categorical",
  name: string,
  method: MethodChoice,
  cellOf: Int32Array,
  cells: number,
  labels: readonly string[],
): CellColumn {
  const pooled = new Float64Array(cells);
  let missing = 0;
  for (let i = 0; i < cellOf.length; i++) {
    const c = cellOf[i]!;
    if (c < 0) missing++;
    else pooled[c]!++;
  }
  return { kind: "cells", type, name, method, cellOf, pooled, missing, labels };
}

/** Cells of a numeric column with at most `limit` distinct pooled values, or undefined. */
function discreteCells(
  values: Float64Array,
  limit: number,
): { cellOf: Int32Array; cells: number } | undefined {
  const index = new Map<number, number>();
  const distinct: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === v && !index.has(v)) {
      if (distinct.length === limit) return undefined;
      index.set(v, distinct.length);
      distinct.push(v);
    }
  }
  // Cells in ascending value order, as the column test lists the reference's distinct values.
  const order = distinct.map((_, k) => k).sort((a, b) => distinct[a]! - distinct[b]!);
  const rank = new Int32Array(distinct.length);
  order.forEach((k, r) => (rank[k] = r));
  const cellOf = Int32Array.from(values, (v) => (v === v ? rank[index.get(v)!]! : -1));
  return { cellOf, cells: distinct.length };
}

function concat(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function hasPValue(outcome: ColumnOutcome): boolean {
  return outcome.pValue !== null || outcome.tests.length > 0;
}

/**
 * Prepares every column that carries a p-value. `method` is the report's
 * method choice; `fast: false` sends every column through column-tests.ts
 * (the reference the fast paths are checked against).
 */
export function prepareShuffledColumns(
  reference: Frame,
  current: Frame,
  outcomes: readonly ColumnOutcome[],
  method: MethodChoice,
  fast: boolean,
): ShuffledColumn[] {
  const prepared: ShuffledColumn[] = [];
  const total = reference.nRows + current.nRows;
  reference.columns.forEach((ref, j) => {
    const outcome = outcomes[j]!;
    const cur = current.columns.find((c) => c.name === ref.name)!;
    if (!hasPValue(outcome) && outcome.insufficient === undefined) return;
    if (ref.kind === "numeric" && cur.kind === "numeric") {
      const pooled = pooledNumeric(ref.values, cur.values);
      // The fewest non-missing rows a shuffled reference can hold: `auto` looks at its distinct values.
      const fewest = Math.max(0, reference.nRows - pooled.missingRows.length);
      const ks =
        method === "ks" || (method === "auto" && outcome.method === "ks" && alwaysKs(pooled.values, fewest));
      if (fast && ks) {
        prepared.push(ksColumn(pooled, total));
        return;
      }
      const discrete =
        fast && (method === "auto" || method === "chi2" || method === "z")
          ? discreteCells(concat(ref.values, cur.values), DISCRETE_AUTO_MAX)
          : undefined;
      if (discrete) {
        prepared.push(cellColumn("numeric", ref.name, method, discrete.cellOf, discrete.cells, []));
        return;
      }
      prepared.push({ kind: "generic", name: ref.name, method, ...pooled });
      return;
    }
    const { codes, dictionary } = pooledCodes(ref, cur);
    if (fast) {
      prepared.push(cellColumn("categorical", ref.name, method, codes, dictionary.length, dictionary));
      return;
    }
    prepared.push({
      kind: "generic",
      name: ref.name,
      method,
      rows: new Int32Array(0),
      values: new Float64Array(0),
      missingRows: new Int32Array(0),
      codes,
      dictionary,
    });
  });
  return prepared;
}

/** Work of one shuffle, in row visits: the rows each column's walk touches. */
export function estimateShuffleWork(columns: readonly ShuffledColumn[], nRef: number, nCur: number): number {
  const small = Math.min(nRef, nCur);
  const total = nRef + nCur;
  let work = total;
  for (const c of columns) {
    if (c.kind === "ks") work += useSparseKs(small, total) ? small * Math.log2(small + 2) : total;
    else if (c.kind === "cells") work += small;
    else work += 3 * total;
  }
  return work;
}

/** The smaller window's sorted positions are walked instead of every row when that is cheaper. */
function useSparseKs(small: number, total: number): boolean {
  return small * Math.log2(small + 2) < total;
}

function minPValue(outcome: ColumnOutcome, soFar: number): number {
  let m = soFar;
  if (outcome.pValue !== null && outcome.pValue < m) m = outcome.pValue;
  for (const t of outcome.tests) if (t.pValue < m) m = t.pValue;
  return m;
}

/** Largest |i·n2 − j·n1| over tie-group ends, walking every pooled row. */
function ksDenseMaxDiff(col: KsColumn, isRef: Uint8Array, n1: number, n2: number): number {
  let r = 0;
  let maxDiff = 0;
  const rows = col.rows;
  const groupEnd = col.groupEnd;
  for (let i = 0; i < rows.length; i++) {
    r += isRef[rows[i]!]!;
    if (groupEnd[i] === 1) {
      const diff = r * n2 - (i + 1 - r) * n1;
      const abs = diff < 0 ? -diff : diff;
      if (abs > maxDiff) maxDiff = abs;
    }
  }
  return maxDiff;
}

/**
 * The same maximum from the smaller window's positions alone. Between two
 * of its positions its count is fixed and the difference moves one way, so
 * the extremes are at the first tie-group end at or after one of its
 * positions and the last group end before the next one.
 */
function ksSparseMaxDiff(
  col: KsColumn,
  positions: Int32Array,
  count: number,
  smallIsRef: boolean,
  n1: number,
  n2: number,
): number {
  const diffAt = (end: number, smallBefore: number): number => {
    const refBefore = smallIsRef ? smallBefore : end + 1 - smallBefore;
    const d = refBefore * n2 - (end + 1 - refBefore) * n1;
    return d < 0 ? -d : d;
  };
  let maxDiff = 0;
  // Before the first position: the last group end before its group.
  const firstGroup = count > 0 ? col.groupFirst[positions[0]!]! : col.rows.length;
  if (firstGroup > 0) maxDiff = diffAt(firstGroup - 1, 0);
  for (let k = 0; k < count; k++) {
    const end = col.groupLast[positions[k]!]!;
    // Positions sharing the tie group are counted at its end together.
    while (k + 1 < count && positions[k + 1]! <= end) k++;
    let d = diffAt(end, k + 1);
    if (d > maxDiff) maxDiff = d;
    const nextGroup = k + 1 < count ? col.groupFirst[positions[k + 1]!]! : col.rows.length;
    if (nextGroup - 1 > end) {
      d = diffAt(nextGroup - 1, k + 1);
      if (d > maxDiff) maxDiff = d;
    }
  }
  return maxDiff;
}

/** Scratch buffers reused across shuffles. */
export interface Scratch {
  positions: Int32Array;
  counts: Float64Array;
  /**
   * Per KS window-size pair, the largest integer difference known to give a
   * p-value above the cutoff: the cutoff only falls, so any difference up to
   * it needs no exact p-value (which costs n1·n2 steps) on later shuffles.
   */
  above: Map<number, number>;
}

/** Reusable buffers for {@link shuffledMinP}. */
export function createScratch(nRef: number, nCur: number, columns: readonly ShuffledColumn[]): Scratch {
  let cells = 1;
  for (const c of columns) if (c.kind === "cells") cells = Math.max(cells, c.pooled.length);
  return {
    positions: new Int32Array(Math.min(nRef, nCur)),
    counts: new Float64Array(cells),
    above: new Map(),
  };
}

function ksPValue(
  col: KsColumn,
  labels: Labels,
  scratch: Scratch,
  largest: Map<number, number>,
  minP: number,
): number {
  const { isRef, small, smallIsRef, nRef, nCur } = labels;
  const total = nRef + nCur;
  let smallMissing = 0;
  let count = 0;
  const sparse = useSparseKs(small.length, total);
  for (let i = 0; i < small.length; i++) {
    const rank = col.rankOf[small[i]!]!;
    if (rank < 0) smallMissing++;
    else if (sparse) scratch.positions[count++] = rank;
  }
  const refMissing = smallIsRef ? smallMissing : col.missing - smallMissing;
  const curMissing = col.missing - refMissing;
  let m = minP;
  if (col.missing > 0) {
    const p = computeNullRateTest(refMissing, nRef, curMissing, nCur).pValue;
    if (p < m) m = p;
  }
  const n1 = nRef - refMissing;
  const n2 = nCur - curMissing;
  if (n1 === 0 || n2 === 0) return m;
  let maxDiff: number;
  if (sparse) {
    const positions = scratch.positions.subarray(0, count).sort();
    maxDiff = ksSparseMaxDiff(col, positions, count, smallIsRef, n1, n2);
  } else maxDiff = ksDenseMaxDiff(col, isRef, n1, n2);
  // KS columns with the same window sizes share one p-value computation:
  // the p-value falls as D grows, so the group's smallest p is at its largest D.
  const key = n1 * (total + 1) + n2;
  if (maxDiff > (largest.get(key) ?? -1)) largest.set(key, maxDiff);
  return m;
}

function cellPValue(col: CellColumn, labels: Labels, scratch: Scratch, minP: number): number {
  const { small, smallIsRef, nRef, nCur } = labels;
  const k = col.pooled.length;
  const smallCounts = scratch.counts;
  smallCounts.fill(0, 0, k);
  let smallMissing = 0;
  for (let i = 0; i < small.length; i++) {
    const c = col.cellOf[small[i]!]!;
    if (c < 0) smallMissing++;
    else smallCounts[c]!++;
  }
  const refCount = (c: number) => (smallIsRef ? smallCounts[c]! : col.pooled[c]! - smallCounts[c]!);
  const refMissing = smallIsRef ? smallMissing : col.missing - smallMissing;
  const curMissing = col.missing - refMissing;
  if (col.type === "categorical") {
    const side = (ofRef: boolean, missing: number): CategoryCounts => {
      const map = new Map<string, number>();
      for (let c = 0; c < k; c++) {
        const n = ofRef ? refCount(c) : col.pooled[c]! - refCount(c);
        if (n > 0) map.set(col.labels[c]!, n);
      }
      return { counts: map, missing, other: 0 };
    };
    return minPValue(
      compareCategories(col.name, side(true, refMissing), side(false, curMissing), col.method),
      minP,
    );
  }
  let m = minP;
  if (col.missing > 0) {
    const p = computeNullRateTest(refMissing, nRef, curMissing, nCur).pValue;
    if (p < m) m = p;
  }
  if (nRef - refMissing === 0 || nCur - curMissing === 0) return m;
  const ref: number[] = [];
  const cur: number[] = [];
  let unseen = 0;
  let curDistinct = 0;
  for (let c = 0; c < k; c++) {
    const r = refCount(c);
    const u = col.pooled[c]! - r;
    if (u > 0) curDistinct++;
    if (r > 0) {
      ref.push(r);
      cur.push(u);
    } else unseen += u;
  }
  const method = chooseNumericMethod(col.method, ref.length, () => curDistinct <= 2);
  const t = testDiscreteCounts(method === "z" ? "z" : "chi2", ref, cur, unseen);
  return t.pValue !== null && t.pValue < m ? t.pValue : m;
}

function genericPValue(col: GenericColumn, labels: Labels, minP: number): number {
  const { isRef } = labels;
  if (col.codes !== undefined) {
    const k = col.dictionary!.length;
    const refCounts = new Float64Array(k);
    const curCounts = new Float64Array(k);
    let refMissing = 0;
    let curMissing = 0;
    for (let i = 0; i < col.codes.length; i++) {
      const c = col.codes[i]!;
      if (isRef[i] === 1) {
        if (c < 0) refMissing++;
        else refCounts[c]!++;
      } else if (c < 0) curMissing++;
      else curCounts[c]!++;
    }
    const side = (counts: Float64Array, missing: number): CategoryCounts => {
      const map = new Map<string, number>();
      for (let c = 0; c < k; c++) if (counts[c]! > 0) map.set(col.dictionary![c]!, counts[c]!);
      return { counts: map, missing, other: 0 };
    };
    return minPValue(
      compareCategories(col.name, side(refCounts, refMissing), side(curCounts, curMissing), col.method),
      minP,
    );
  }
  let refCount = 0;
  for (let i = 0; i < col.rows.length; i++) refCount += isRef[col.rows[i]!]!;
  const refSorted = new Float64Array(refCount);
  const curSorted = new Float64Array(col.rows.length - refCount);
  let a = 0;
  let b = 0;
  for (let i = 0; i < col.rows.length; i++) {
    if (isRef[col.rows[i]!] === 1) refSorted[a++] = col.values[i]!;
    else curSorted[b++] = col.values[i]!;
  }
  let refMissing = 0;
  for (let i = 0; i < col.missingRows.length; i++) refMissing += isRef[col.missingRows[i]!]!;
  const outcome = compareNumericSamples(
    col.name,
    sortedNumericPair(
      { sorted: refSorted, missing: refMissing },
      { sorted: curSorted, missing: col.missingRows.length - refMissing },
    ),
    col.method,
  );
  return minPValue(outcome, minP);
}

/**
 * The smallest p-value of the whole family on one shuffle. KS p-values
 * above `cutoff` may be left out (the result is then only known to be above
 * the cutoff); with an infinite cutoff the result is exact.
 */
export function shuffledMinP(
  columns: readonly ShuffledColumn[],
  labels: Labels,
  scratch: Scratch,
  cutoff = Number.POSITIVE_INFINITY,
): number {
  let minP = Number.POSITIVE_INFINITY;
  const largest = new Map<number, number>();
  for (const col of columns) {
    if (col.kind === "ks") minP = ksPValue(col, labels, scratch, largest, minP);
    else if (col.kind === "cells") minP = cellPValue(col, labels, scratch, minP);
    else minP = genericPValue(col, labels, minP);
  }
  const total = labels.nRef + labels.nCur;
  for (const [key, maxDiff] of largest) {
    if (maxDiff <= (scratch.above.get(key) ?? -1)) continue;
    const n1 = Math.floor(key / (total + 1));
    const n2 = key - n1 * (total + 1);
    const p = computeKsFromStatistic(n1, n2, maxDiff / (n1 * n2)).pValue;
    if (p > cutoff) scratch.above.set(key, maxDiff);
    if (p < minP) minP = p;
  }
  return minP;
}
