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
 * Bonferroni over the columns is conservative. Duplicated rows change
 * nothing: a reference resampled with replacement from a small pool and a
 * current window drawn from the same pool are i.i.d. draws of one
 * distribution, so their rows are exchangeable too. The shuffles come from
 * the seeded generator, so a report is reproducible.
 */
import { createRandom, type Random } from "../../common/random.js";
import type { Frame } from "../../data/frame.js";
import type { ColumnOutcome } from "./column-tests.js";
import type { MethodChoice } from "./methods.js";
import {
  createScratch,
  estimateShuffleWork,
  prepareShuffledColumns,
  shuffledMinP,
  type Labels,
  type ShuffledColumn,
} from "./shuffled-columns.js";

/** Default number of shuffles (k = 10 at α = 0.05). */
export const DEFAULT_PERMUTATIONS = 199;

/**
 * Default most work (shuffles × row visits of one shuffle, see
 * shuffled-columns.ts) the calibration may take; above it the report uses
 * Bonferroni over the effective number of tests instead. About 0.2 s of one
 * core.
 */
export const DEFAULT_PERMUTATION_BUDGET = 1.2e8;

/** Result of {@link calibrateMinP}. */
export interface MinPCalibration {
  /**
   * Reject a p-value when it is at most this: the largest double below the
   * k-th smallest shuffled minimum.
   */
  readonly threshold: number;
  /** Shuffles run. */
  readonly permutations: number;
  /** True when the shuffles stopped early because the decision was known. */
  readonly stoppedEarly: boolean;
}

/** The columns prepared for shuffles, and what one shuffle costs. */
export interface MinPPlan {
  readonly columns: readonly ShuffledColumn[];
  readonly shuffleWork: number;
}

/** Prepares the columns once (sorted pooled order, cells); `method` is the report's method choice. */
export function planMinP(
  reference: Frame,
  current: Frame,
  outcomes: readonly ColumnOutcome[],
  method: MethodChoice,
  fast = true,
): MinPPlan {
  const columns = prepareShuffledColumns(reference, current, outcomes, method, fast);
  return { columns, shuffleWork: estimateShuffleWork(columns, reference.nRows, current.nRows) };
}

/**
 * Draws the next shuffle: a uniformly random choice of which rows form the
 * smaller window (a partial Fisher–Yates over `order`, so only as many
 * draws as that window has rows), then the labels of every row.
 */
function nextShuffle(order: Int32Array, labels: Labels, random: Random): void {
  const { isRef, small, smallIsRef } = labels;
  const n = order.length;
  for (let i = 0; i < small.length; i++) {
    const j = i + random.int(n - i);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
    small[i] = order[i]!;
  }
  isRef.fill(smallIsRef ? 0 : 1);
  const mark = smallIsRef ? 1 : 0;
  for (let i = 0; i < small.length; i++) isRef[small[i]!] = mark;
}

function createLabels(nRef: number, nCur: number): { order: Int32Array; labels: Labels } {
  const order = Int32Array.from({ length: nRef + nCur }, (_, i) => i);
  const smallIsRef = nRef <= nCur;
  return {
    order,
    labels: {
      isRef: new Uint8Array(nRef + nCur),
      small: new Int32Array(smallIsRef ? nRef : nCur),
      smallIsRef,
      nRef,
      nCur,
    },
  };
}

/**
 * The family's smallest p-value on each of `permutations` shuffles (seeded),
 * without early stopping. `fast: false` recomputes every column through
 * column-tests.ts instead of the walks and counts of shuffled-columns.ts:
 * the two must agree, which the tests check.
 */
export function computeShuffledMinima(
  reference: Frame,
  current: Frame,
  outcomes: readonly ColumnOutcome[],
  options: {
    readonly permutations: number;
    readonly seed: number;
    readonly method?: MethodChoice;
    readonly fast?: boolean;
  },
): Float64Array {
  const plan = planMinP(reference, current, outcomes, options.method ?? "auto", options.fast ?? true);
  const { order, labels } = createLabels(reference.nRows, current.nRows);
  const scratch = createScratch(reference.nRows, current.nRows, plan.columns);
  const random = createRandom(options.seed);
  const minima = new Float64Array(options.permutations);
  for (let b = 0; b < options.permutations; b++) {
    nextShuffle(order, labels, random);
    minima[b] = shuffledMinP(plan.columns, labels, scratch);
  }
  return minima;
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
 * them with the same tests (`method`: the report's method choice).
 *
 * A p-value rejects when it is below the k-th smallest of the B shuffled
 * minima, k = ⌊α(B + 1)⌋, and below α, and only then: no shortcut threshold (such as a
 * fraction of Bonferroni's) rejects without the shuffles, because the tests
 * on rare cells, rare missing values or heavy ties give p-values far below
 * their nominal level, and only the shuffles see that.
 *
 * Shuffling stops as soon as k shuffled minima reach the report's smallest
 * p-value: nothing can reject any more, and the decisions (none) are those
 * of all B shuffles. Under no drift that is after a few dozen shuffles.
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
    readonly method?: MethodChoice;
    readonly plan?: MinPPlan;
  },
): MinPCalibration {
  const { alpha, permutations, seed } = options;
  const k = Math.floor(alpha * (permutations + 1) + 1e-9);
  if (k < 1)
    throw new RangeError(`${permutations} permutations cannot calibrate α = ${alpha}: need α(B + 1) ≥ 1`);
  let smallest = Number.POSITIVE_INFINITY;
  for (const o of outcomes) {
    if (o.pValue !== null && o.pValue < smallest) smallest = o.pValue;
    for (const t of o.tests) if (t.pValue < smallest) smallest = t.pValue;
  }
  // The threshold never exceeds α (a cap only removes rejections, so the
  // level holds): a report whose p-values are all at or above α needs no
  // shuffle, and shuffled KS p-values at or above α need no exact value.
  const cap = nextDown(alpha);
  if (!(smallest <= cap)) return { threshold: cap, permutations: 0, stoppedEarly: true };
  const plan = options.plan ?? planMinP(reference, current, outcomes, options.method ?? "auto");
  const { order, labels } = createLabels(reference.nRows, current.nRows);
  const scratch = createScratch(reference.nRows, current.nRows, plan.columns);
  const random = createRandom(seed);
  // The k smallest minima so far, ascending: a shuffle's minimum above the
  // k-th can change neither the threshold nor the early stop, so its KS
  // p-values above it need not be computed exactly.
  const lowest: number[] = [];
  let reached = 0;
  for (let b = 0; b < permutations; b++) {
    nextShuffle(order, labels, random);
    const cutoff = lowest.length === k ? lowest[k - 1]! : alpha;
    const m = shuffledMinP(plan.columns, labels, scratch, cutoff);
    if (m < cutoff) {
      let at = lowest.length;
      while (at > 0 && lowest[at - 1]! > m) at--;
      lowest.splice(at, 0, m);
      if (lowest.length > k) lowest.pop();
    }
    if (m <= smallest) reached++;
    // The k-th smallest shuffled minimum can only fall with more shuffles,
    // and it is already at or below every p-value of the report: stop.
    if (reached >= k && b + 1 < permutations) {
      return { threshold: nextDown(lowest[k - 1]!), permutations: b + 1, stoppedEarly: true };
    }
  }
  const threshold = lowest.length === k ? nextDown(lowest[k - 1]!) : cap;
  return { threshold, permutations, stoppedEarly: false };
}
