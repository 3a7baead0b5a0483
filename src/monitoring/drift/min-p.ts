/**
 * Permutation calibration of the dataset-level drift decision (Westfall &
 * Young 1993, single-step min-P).
 *
 * Without drift, every row of the reference and current windows comes from
 * one distribution, so the windows' labels are exchangeable: shuffling
 * which rows are "reference" gives draws of the whole report under no
 * drift, with the columns' correlation and ties intact. The smallest
 * p-value of each shuffled report (over every test of the family, each
 * computed exactly as on the observed windows) estimates the null
 * distribution of the family's smallest p-value. A p-value rejects when it
 * is below the k-th smallest of B shuffled minima, k = ⌊α(B + 1)⌋: the
 * family-wise false-alarm rate is then at most α, and close to it whatever
 * the correlation between columns or the ties in the data — where
 * Bonferroni over the columns is conservative. The shuffles come from the
 * seeded generator, so a report is reproducible.
 */
import { createRandom, type Random } from "../../common/random.js";
import type { Column, Frame } from "../../data/frame.js";
import {
  compareCategories,
  compareNumericSamples,
  type CategoryCounts,
  type ColumnOutcome,
} from "./column-tests.js";
import { computeKsFromStatistic } from "./ks.js";
import type { MethodChoice } from "./methods.js";
import { sortedNumericPair } from "./numeric-pair.js";
import { computeNullRateTest } from "./proportions.js";
import { radixArgsortFloat64 } from "../sorting/radix-sort.js";

/** Default number of shuffles (k = 10 at α = 0.05). */
export const DEFAULT_PERMUTATIONS = 199;

/**
 * Default most work (shuffles × rows of both windows × column passes) the
 * calibration may take; above it the report uses Bonferroni over the
 * effective number of tests instead. About 0.2 s of one core.
 */
export const DEFAULT_PERMUTATION_BUDGET = 1.2e8;

/** Result of {@link calibrateMinP}. */
export interface MinPCalibration {
  /**
   * Reject a p-value when it is at most this: the largest double below the
   * k-th smallest shuffled minimum, or the floor if that is higher.
   */
  readonly threshold: number;
  /** Shuffles run. */
  readonly permutations: number;
  /** True when the shuffles stopped early because nothing could reject any more. */
  readonly stoppedEarly: boolean;
}

/** A KS column, prepared once: its non-missing rows in value order and where tie groups end. */
interface KsColumn {
  readonly kind: "ks";
  readonly rows: Int32Array;
  readonly groupEnd: Uint8Array;
  readonly missingRows: Int32Array;
}

/** A numeric column judged by another test: rebuilt per shuffle and run through column-tests.ts. */
interface NumericColumnPrep {
  readonly kind: "numeric";
  readonly name: string;
  readonly method: MethodChoice;
  readonly rows: Int32Array;
  readonly values: Float64Array;
  readonly missingRows: Int32Array;
}

/** A categorical column: every row's code in one dictionary shared by both windows. */
interface CategoricalColumnPrep {
  readonly kind: "categorical";
  readonly name: string;
  readonly method: MethodChoice;
  readonly codes: Int32Array;
  readonly dictionary: readonly string[];
}

type Prepared = KsColumn | NumericColumnPrep | CategoricalColumnPrep;

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
  const codes = new Int32Array(columnLength(ref) + columnLength(cur));
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

function columnLength(column: Column): number {
  return column.kind === "numeric" ? column.values.length : column.codes.length;
}

function hasPValue(outcome: ColumnOutcome): boolean {
  return outcome.pValue !== null || outcome.tests.length > 0;
}

function prepare(
  reference: Frame,
  current: Frame,
  outcomes: readonly ColumnOutcome[],
  fastKs: boolean,
): Prepared[] {
  const prepared: Prepared[] = [];
  reference.columns.forEach((ref, j) => {
    const outcome = outcomes[j]!;
    const cur = current.columns.find((c) => c.name === ref.name)!;
    if (!hasPValue(outcome) && outcome.insufficient === undefined) return;
    if (ref.kind === "numeric" && cur.kind === "numeric") {
      const pooled = pooledNumeric(ref.values, cur.values);
      if (outcome.method === "ks" && fastKs) {
        const groupEnd = new Uint8Array(pooled.values.length);
        for (let i = 0; i < pooled.values.length; i++) {
          groupEnd[i] = i + 1 === pooled.values.length || pooled.values[i + 1] !== pooled.values[i] ? 1 : 0;
        }
        prepared.push({ kind: "ks", rows: pooled.rows, groupEnd, missingRows: pooled.missingRows });
      } else {
        prepared.push({ kind: "numeric", name: ref.name, method: outcome.method, ...pooled });
      }
      return;
    }
    prepared.push({ kind: "categorical", name: ref.name, method: outcome.method, ...pooledCodes(ref, cur) });
  });
  return prepared;
}

/** Work units of one calibration, for the budget: per shuffle one pass over the pooled rows per KS column, about three per other column. */
export function estimateMinPWork(
  reference: Frame,
  current: Frame,
  outcomes: readonly ColumnOutcome[],
  permutations: number,
): number {
  let passes = 0;
  for (const o of outcomes) passes += o.method === "ks" ? 1 : 3;
  return permutations * (reference.nRows + current.nRows) * passes;
}

function minPValue(outcome: ColumnOutcome, soFar: number): number {
  let m = soFar;
  if (outcome.pValue !== null && outcome.pValue < m) m = outcome.pValue;
  for (const t of outcome.tests) if (t.pValue < m) m = t.pValue;
  return m;
}

function countMissingRef(missingRows: Int32Array, isRef: Uint8Array): number {
  let k = 0;
  for (let i = 0; i < missingRows.length; i++) k += isRef[missingRows[i]!]!;
  return k;
}

/** The smallest p-value of the whole family on one shuffle. */
function shuffledMinP(prepared: readonly Prepared[], isRef: Uint8Array, nRef: number, nCur: number): number {
  let minP = Number.POSITIVE_INFINITY;
  // KS columns with the same window sizes share one p-value computation:
  // the p-value falls as D grows, so the group's smallest p is at its largest D.
  const largest = new Map<number, number>();
  const total = nRef + nCur;
  for (const col of prepared) {
    if (col.kind === "ks") {
      const refMissing = countMissingRef(col.missingRows, isRef);
      const curMissing = col.missingRows.length - refMissing;
      if (col.missingRows.length > 0) {
        const p = computeNullRateTest(refMissing, nRef, curMissing, nCur).pValue;
        if (p < minP) minP = p;
      }
      const n1 = nRef - refMissing;
      const n2 = nCur - curMissing;
      if (n1 === 0 || n2 === 0) continue;
      // Integer arithmetic: i·n2 − j·n1 after each tie group, as computeKsStatistic forms i/n1 − j/n2.
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
      const key = n1 * (total + 1) + n2;
      if (maxDiff > (largest.get(key) ?? -1)) largest.set(key, maxDiff);
    } else if (col.kind === "numeric") {
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
      const refMissing = countMissingRef(col.missingRows, isRef);
      const outcome = compareNumericSamples(
        col.name,
        sortedNumericPair(
          { sorted: refSorted, missing: refMissing },
          { sorted: curSorted, missing: col.missingRows.length - refMissing },
        ),
        col.method,
      );
      minP = minPValue(outcome, minP);
    } else {
      const k = col.dictionary.length;
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
        for (let c = 0; c < k; c++) if (counts[c]! > 0) map.set(col.dictionary[c]!, counts[c]!);
        return { counts: map, missing, other: 0 };
      };
      const outcome = compareCategories(
        col.name,
        side(refCounts, refMissing),
        side(curCounts, curMissing),
        col.method,
      );
      minP = minPValue(outcome, minP);
    }
  }
  for (const [key, maxDiff] of largest) {
    const n1 = Math.floor(key / (total + 1));
    const n2 = key - n1 * (total + 1);
    const p = computeKsFromStatistic(n1, n2, maxDiff / (n1 * n2)).pValue;
    if (p < minP) minP = p;
  }
  return minP;
}

/**
 * The family's smallest p-value on each of `permutations` shuffles (seeded),
 * without early stopping. `fastKs: false` recomputes KS columns through
 * column-tests.ts like every other column instead of the integer walk over
 * the pooled order: the two must agree, which the tests check.
 */
export function computeShuffledMinima(
  reference: Frame,
  current: Frame,
  outcomes: readonly ColumnOutcome[],
  options: { readonly permutations: number; readonly seed: number; readonly fastKs?: boolean },
): Float64Array {
  const prepared = prepare(reference, current, outcomes, options.fastKs ?? true);
  const isRef = new Uint8Array(reference.nRows + current.nRows);
  isRef.fill(1, 0, reference.nRows);
  const random = createRandom(options.seed);
  const minima = new Float64Array(options.permutations);
  for (let b = 0; b < options.permutations; b++) {
    shuffle(isRef, random);
    minima[b] = shuffledMinP(prepared, isRef, reference.nRows, current.nRows);
  }
  return minima;
}

function shuffle(isRef: Uint8Array, random: Random): void {
  for (let i = isRef.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const t = isRef[i]!;
    isRef[i] = isRef[j]!;
    isRef[j] = t;
  }
}

/** The largest double below x (x > 0): `p ≤ nextDown(t)` is `p < t`. */
function nextDown(x: number): number {
  if (!(x > 0)) return x;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) - 1n);
  return view.getFloat64(0);
}

/**
 * Calibrates the family's rejection threshold by shuffling rows between the
 * windows. `outcomes` are the observed column results, one per reference
 * column in order (as report.ts computes them); each shuffle recomputes
 * them with the same tests.
 *
 * The threshold is never below `floor` (report.ts passes a tenth of
 * Bonferroni's α/m): p-values at or below it reject without shuffles. Shuffling stops as soon as
 * every other p-value of the report is reached by k shuffled minima (none
 * of them can reject any more): under no drift that is after a few dozen
 * shuffles, with a strong drift in a few columns too.
 *
 * @param alpha family-wise level of the univariate decision.
 * @param permutations shuffles B; needs α(B + 1) ≥ 1.
 */
export function calibrateMinP(
  reference: Frame,
  current: Frame,
  outcomes: readonly ColumnOutcome[],
  options: {
    readonly alpha: number;
    readonly permutations: number;
    readonly seed: number;
    readonly floor: number;
  },
): MinPCalibration {
  const { alpha, permutations, seed, floor } = options;
  const k = Math.floor(alpha * (permutations + 1) + 1e-9);
  if (k < 1)
    throw new RangeError(`${permutations} permutations cannot calibrate α = ${alpha}: need α(B + 1) ≥ 1`);
  // The smallest p-value the floor does not decide: once k shuffled minima
  // reach it, they reach every larger one too.
  let undecided = Number.POSITIVE_INFINITY;
  for (const o of outcomes) {
    if (o.pValue !== null && o.pValue > floor && o.pValue < undecided) undecided = o.pValue;
    for (const t of o.tests) if (t.pValue > floor && t.pValue < undecided) undecided = t.pValue;
  }
  if (undecided === Number.POSITIVE_INFINITY)
    return { threshold: floor, permutations: 0, stoppedEarly: true };
  const prepared = prepare(reference, current, outcomes, true);
  const nRef = reference.nRows;
  const nCur = current.nRows;
  const isRef = new Uint8Array(nRef + nCur);
  isRef.fill(1, 0, nRef);
  const random = createRandom(seed);
  const minima: number[] = [];
  let reached = 0;
  for (let b = 0; b < permutations; b++) {
    shuffle(isRef, random);
    const m = shuffledMinP(prepared, isRef, nRef, nCur);
    minima.push(m);
    if (m <= undecided) reached++;
    // The k-th smallest shuffled minimum can only fall with more shuffles,
    // and it is already at or below every undecided p-value: stop.
    if (reached >= k && b + 1 < permutations) {
      minima.sort((x, y) => x - y);
      return {
        threshold: Math.max(floor, nextDown(minima[k - 1]!)),
        permutations: b + 1,
        stoppedEarly: true,
      };
    }
  }
  minima.sort((x, y) => x - y);
  return { threshold: Math.max(floor, nextDown(minima[k - 1]!)), permutations, stoppedEarly: false };
}
