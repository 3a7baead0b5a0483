/**
 * The p-value threshold of one drift report's family of tests: permutation
 * min-P, Bonferroni over the effective number of tests, plain Bonferroni, or
 * Benjamini–Hochberg — see {@link CorrectionEntry}.
 */
import {
  computeBonferroniThreshold,
  computeRejectionThreshold,
  type Correction,
} from "../../common/statistics/multiple-testing.js";
import { findColumn, selectFrameColumns, type Frame } from "../../data/frame.js";
import type { ColumnOutcome } from "./column-tests.js";
import {
  computeEffectiveTestCount,
  computeSpearmanMatrix,
  computeSymmetricEigenvalues,
} from "./effective-tests.js";
import type { MethodChoice } from "./methods.js";
import { calibrateMinP, planMinP } from "./min-p.js";

/**
 * How the report's p-value threshold was set:
 * - `min_p`: permutation-calibrated (Westfall–Young single-step min-P over
 *   shuffles of rows between the windows) — raw reference rows, windows small
 *   enough for the shuffles to be cheap;
 * - `bonferroni_effective`: Bonferroni over the effective number of tests
 *   (Li & Ji 2005, from the reference's Spearman correlation) — raw
 *   reference rows, large windows;
 * - `bonferroni`: over every test — a stored profile holds no correlation;
 * - `bh`: Benjamini–Hochberg, on request.
 */
export interface CorrectionEntry {
  readonly method: "min_p" | "bonferroni_effective" | "bonferroni" | "bh";
  readonly alpha: number;
  /** Tests in the family (p-values), the domain classifier included. */
  readonly tests: number;
  /** Effective number of univariate tests (Li & Ji), when it was estimated. */
  readonly effective_tests?: number;
  /** Shuffles run for `min_p`. */
  readonly permutations?: number;
  /** Share of α the univariate tests get when the domain classifier also runs (weighted Bonferroni). */
  readonly univariate_alpha?: number;
}

/** Li & Ji's effective count of the univariate family: correlated numeric primary tests count as M_eff, every other test as one. */
function effectiveFamilySize(reference: Frame, outcomes: readonly ColumnOutcome[]): number {
  const numeric: Float64Array[] = [];
  let others = 0;
  reference.columns.forEach((column, j) => {
    const o = outcomes[j]!;
    others += o.tests.length;
    if (o.pValue === null) return;
    if (column.kind === "numeric") numeric.push(column.values);
    else others++;
  });
  if (numeric.length === 0) return others;
  const eigenvalues = computeSymmetricEigenvalues(computeSpearmanMatrix(numeric), numeric.length);
  return computeEffectiveTestCount(eigenvalues) + others;
}

/** The family's p-value threshold, the domain classifier's, and how they were set. */
export interface ThresholdDecision {
  readonly threshold: number;
  readonly classifierThreshold: number;
  readonly entry: CorrectionEntry;
}

/**
 * The family's threshold. With the domain classifier the univariate tests
 * get α·M/(M + 1) and the classifier α/(M + 1), M the univariate family's
 * (effective) size: a weighted Bonferroni split, so the dataset-level
 * decision stays at α overall. `reference` is null when it is a stored
 * profile: no rows, so no correlation and no shuffles.
 */
export function decideThreshold(
  reference: Frame | null,
  current: Frame,
  outcomes: readonly ColumnOutcome[],
  family: readonly number[],
  classifier: { auc: number; pValue: number } | undefined,
  options: {
    readonly alpha: number;
    readonly correction: Correction;
    readonly seed: number;
    readonly permutations: number;
    readonly budget: number;
    readonly method: MethodChoice;
  },
): ThresholdDecision {
  const { alpha } = options;
  const tests = family.length + (classifier ? 1 : 0);
  if (options.correction === "bh") {
    const threshold = computeRejectionThreshold(
      classifier ? [...family, classifier.pValue] : family,
      alpha,
      "bh",
    );
    return { threshold, classifierThreshold: threshold, entry: { method: "bh", alpha, tests } };
  }
  if (reference === null || family.length === 0) {
    const threshold = computeRejectionThreshold(
      classifier ? [...family, classifier.pValue] : family,
      alpha,
      "bonferroni",
    );
    return { threshold, classifierThreshold: threshold, entry: { method: "bonferroni", alpha, tests } };
  }
  const permutations = options.permutations;
  const shuffled = withoutIdLikeColumns(reference, current, outcomes);
  // Every shuffle relabels every row at least once: past the budget on that
  // alone, the columns are not even prepared (a sort of both windows).
  const plan =
    permutations > 0 &&
    shuffled.outcomes.length > 0 &&
    permutations * (reference.nRows + current.nRows) <= options.budget
      ? planMinP(shuffled.reference, shuffled.current, shuffled.outcomes, options.method)
      : undefined;
  const usePermutations = plan !== undefined && permutations * plan.shuffleWork <= options.budget;
  const effective = !usePermutations || classifier ? effectiveFamilySize(reference, outcomes) : undefined;
  if (usePermutations) {
    const univariateAlpha = classifier ? (alpha * effective!) / (effective! + 1) : alpha;
    const b = Math.max(permutations, Math.ceil(1 / univariateAlpha) - 1);
    const calibration = calibrateMinP(shuffled.reference, shuffled.current, shuffled.outcomes, {
      alpha: univariateAlpha,
      permutations: b,
      seed: options.seed,
      plan,
    });
    return {
      threshold: calibration.threshold,
      classifierThreshold: classifier ? alpha / (effective! + 1) : calibration.threshold,
      entry: {
        method: "min_p",
        alpha,
        tests,
        permutations: calibration.permutations,
        ...(classifier ? { effective_tests: round(effective!), univariate_alpha: univariateAlpha } : {}),
      },
    };
  }
  const threshold = computeBonferroniThreshold(alpha, effective! + (classifier ? 1 : 0));
  return {
    threshold,
    classifierThreshold: threshold,
    entry: { method: "bonferroni_effective", alpha, tests, effective_tests: round(effective!) },
  };
}

/** A categorical column counts as an ID when at least this share of its values occur once in the two windows. */
const ID_LIKE_UNIQUE_SHARE = 0.5;

/**
 * The windows and outcomes without ID-like columns: categorical columns in
 * which most values occur once (customer IDs, timestamps written as text).
 * Under every shuffle such a column still looks as different as it can be
 * (each value lands in one window), so in the min-P family its p-value
 * would set the threshold of every other column and no column could ever
 * reject. It carries no distribution to shuffle; it is tested on its own,
 * its p-value against the threshold the other columns set (new values
 * mean drift there, as they always have: leave IDs out with --exclude or
 * --pipeline).
 */
function withoutIdLikeColumns(
  reference: Frame,
  current: Frame,
  outcomes: readonly ColumnOutcome[],
): { reference: Frame; current: Frame; outcomes: readonly ColumnOutcome[] } {
  const kept = outcomes.filter((o) => !isIdLike(reference, current, o.name));
  if (kept.length === outcomes.length) return { reference, current, outcomes };
  const names = kept.map((o) => o.name);
  return {
    reference: selectFrameColumns(reference, names),
    current: selectFrameColumns(current, names),
    outcomes: kept,
  };
}

function isIdLike(reference: Frame, current: Frame, name: string): boolean {
  const a = findColumn(reference, name);
  const b = findColumn(current, name);
  if (a?.kind !== "categorical" || b?.kind !== "categorical") return false;
  const counts = new Map<string, number>();
  let total = 0;
  for (const column of [a, b]) {
    for (const code of column.codes) {
      if (code < 0) continue;
      const value = column.dictionary[code]!;
      counts.set(value, (counts.get(value) ?? 0) + 1);
      total++;
    }
  }
  let once = 0;
  for (const n of counts.values()) if (n === 1) once++;
  return total > 0 && once >= ID_LIKE_UNIQUE_SHARE * total;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
