/**
 * The drift use case: compare a current window with a reference (raw rows or
 * a stored profile), decide per column and for the whole data set, and
 * return the report the `drift` command prints with `--json`.
 */
import { DataError } from "../../common/errors.js";
import type { Column, Frame } from "../../data/frame.js";
import {
  compareCategories,
  compareNumericSamples,
  compareNumericToProfile,
  countsFromProfile,
  type CategoryCounts,
  type ColumnOutcome,
  type DistanceThresholds,
} from "./column-tests.js";
import { BUCKETED_PAIR_MIN_COUNT, createBucketedNumericPair } from "./bucketed-pair.js";
import { computeRejectionThreshold, decideSeverity, type Severity } from "./severity.js";
import { computeDomainClassifier } from "./domain-classifier.js";
import {
  computeEffectiveTestCount,
  computeSpearmanMatrix,
  computeSymmetricEigenvalues,
} from "./effective-tests.js";
import {
  calibrateMinP,
  DEFAULT_PERMUTATION_BUDGET,
  DEFAULT_PERMUTATIONS,
  estimateMinPWork,
} from "./min-p.js";
import {
  DEFAULT_DISTANCE_THRESHOLDS,
  type Correction,
  type MethodChoice,
  type DriftMethod,
} from "./methods.js";
import { sortedNumericPair, type NumericPair } from "./numeric-pair.js";
import type { ReferenceProfile } from "../profile/profile.js";
import { sortFinite } from "../profile/bins.js";

/** One secondary test in the report. */
export interface DriftTestEntry {
  readonly name: "null_rate" | "new_category";
  readonly statistic: number;
  readonly p_value: number;
  readonly threshold: number;
  readonly drift: boolean;
  readonly [detail: string]: unknown;
}

/** One column in the report. */
export interface DriftFeatureEntry {
  readonly name: string;
  readonly type: "numeric" | "categorical";
  readonly method: DriftMethod;
  /** D for `ks`, χ² for `chi2`, z for `z`, the distance otherwise; null with insufficient data. */
  readonly statistic: number | null;
  /** Unadjusted p-value (SciPy's for `ks`); null for distances and insufficient data. */
  readonly p_value: number | null;
  /** Adjusted p-value threshold for p-value methods; the distance threshold for distances. */
  readonly threshold: number;
  readonly drift: boolean;
  readonly severity: Severity;
  readonly tests: readonly DriftTestEntry[];
  /** Present when the primary test could not run. */
  readonly insufficient_data?: string;
}

/** The multivariate part of the report. */
export interface MultivariateEntry {
  readonly drift: boolean;
  /** Cross-validated AUC of the domain classifier; null when it did not run. */
  readonly auc: number | null;
  readonly p_value: number | null;
  readonly threshold: number | null;
  readonly method: "domain_classifier";
  /** Why it did not run, when it did not. */
  readonly skipped?: string;
}

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

/** The report (snake_case keys: it is printed as is by `--json`). */
export interface DriftReport {
  readonly drift: boolean;
  /** Share of columns that drifted. */
  readonly drift_share: number;
  readonly n_reference: number;
  readonly n_current: number;
  readonly features: readonly DriftFeatureEntry[];
  readonly multivariate: MultivariateEntry;
  readonly correction: CorrectionEntry;
}

/** Options of {@link computeDriftReport}. */
export interface DriftOptions {
  /** Test for every column, or `auto` (default): see methods.ts for the rule. */
  readonly method?: MethodChoice;
  /** Family-wise (Bonferroni) or false-discovery (BH) level, default 0.05. */
  readonly alpha?: number;
  /** Default `bonferroni`. */
  readonly correction?: Correction;
  /** Distance thresholds for `psi`, `js`, `wasserstein`. */
  readonly thresholds?: Partial<DistanceThresholds>;
  /** Run the domain classifier (default true; it needs raw reference rows). */
  readonly multivariate?: boolean;
  /** Seed of the domain classifier (default 0). */
  readonly seed?: number;
  /** Rows per window the domain classifier uses at most (default 5,000). */
  readonly multivariateMaxRows?: number;
  /** Shuffles of the min-P calibration (default 199; 0 turns it off). */
  readonly permutations?: number;
  /** Most work the calibration may take (see min-p.ts); above it Bonferroni over the effective number of tests. */
  readonly permutationBudget?: number;
}

function isProfile(reference: Frame | ReferenceProfile): reference is ReferenceProfile {
  return "version" in reference && "n_rows" in reference;
}

function columnNames(columns: readonly { name: string }[]): string[] {
  return columns.map((c) => c.name);
}

function checkColumns(referenceNames: readonly string[], currentNames: readonly string[]): void {
  const cur = new Set(currentNames);
  const ref = new Set(referenceNames);
  const missing = referenceNames.filter((n) => !cur.has(n));
  const extra = currentNames.filter((n) => !ref.has(n));
  if (missing.length === 0 && extra.length === 0) return;
  const parts: string[] = [];
  if (missing.length > 0)
    parts.push(`missing from the current data: ${missing.map((n) => JSON.stringify(n)).join(", ")}`);
  if (extra.length > 0) parts.push(`not in the reference: ${extra.map((n) => JSON.stringify(n)).join(", ")}`);
  throw new DataError(`reference and current data have different columns (${parts.join("; ")})`);
}

function categoryCounts(column: Column): CategoryCounts {
  const counts = new Map<string, number>();
  let missing = 0;
  if (column.kind === "categorical") {
    const perCode = new Float64Array(column.dictionary.length);
    for (let i = 0; i < column.codes.length; i++) {
      const c = column.codes[i]!;
      if (c < 0) missing++;
      else perCode[c]!++;
    }
    for (let c = 0; c < perCode.length; c++) {
      if (perCode[c]! > 0) {
        const text = column.dictionary[c]!;
        counts.set(text, (counts.get(text) ?? 0) + perCode[c]!);
      }
    }
  } else {
    // A numeric column judged as categorical (the other window has text):
    // its values are compared by their shortest decimal form.
    for (let i = 0; i < column.values.length; i++) {
      const v = column.values[i]!;
      if (v !== v) missing++;
      else counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
    }
  }
  return { counts, missing, other: 0 };
}

/** Large windows are compared bucketed (no sort; the same answers), small ones sorted. */
function numericPair(reference: Float64Array, current: Float64Array): NumericPair {
  if (Math.min(reference.length, current.length) >= BUCKETED_PAIR_MIN_COUNT) {
    const pair = createBucketedNumericPair(reference, current, { minCount: BUCKETED_PAIR_MIN_COUNT });
    if (pair) return pair;
  }
  return sortedNumericPair(sortFinite(reference), sortFinite(current));
}

function finiteValues(values: Float64Array): { values: Float64Array; missing: number } {
  let missing = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== values[i]) missing++;
  if (missing === 0) return { values, missing };
  const finite = new Float64Array(values.length - missing);
  let k = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) finite[k++] = values[i]!;
  return { values: finite, missing };
}

function compareFrames(reference: Frame, current: Frame, method: MethodChoice): ColumnOutcome[] {
  return reference.columns.map((ref) => {
    const cur = current.columns.find((c) => c.name === ref.name)!;
    if (ref.kind === "numeric" && cur.kind === "numeric") {
      return compareNumericSamples(ref.name, numericPair(ref.values, cur.values), method);
    }
    return compareCategories(ref.name, categoryCounts(ref), categoryCounts(cur), method);
  });
}

function compareProfile(reference: ReferenceProfile, current: Frame, method: MethodChoice): ColumnOutcome[] {
  return reference.columns.map((ref) => {
    const cur = current.columns.find((c) => c.name === ref.name)!;
    if (ref.kind === "numeric") {
      if (cur.kind !== "numeric") {
        throw new DataError(
          `column ${JSON.stringify(ref.name)} is numeric in the reference profile but holds text in the current data`,
        );
      }
      return compareNumericToProfile(ref, finiteValues(cur.values), method);
    }
    return compareCategories(ref.name, countsFromProfile(ref), categoryCounts(cur), method);
  });
}

function checkOptions(options: DriftOptions): { alpha: number; thresholds: DistanceThresholds } {
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be between 0 and 1, got ${alpha}`);
  const thresholds = { ...DEFAULT_DISTANCE_THRESHOLDS, ...options.thresholds };
  for (const [k, v] of Object.entries(thresholds)) {
    if (!(v > 0) || !Number.isFinite(v))
      throw new RangeError(`the ${k} threshold must be a positive number, got ${v}`);
  }
  return { alpha, thresholds };
}

/**
 * Compares `current` with `reference` (raw rows, or a stored profile) and
 * decides whether the data drifted.
 *
 * @throws DataError when a window is empty or the columns differ.
 */
export async function computeDriftReport(
  reference: Frame | ReferenceProfile,
  current: Frame,
  options: DriftOptions = {},
): Promise<DriftReport> {
  const { alpha, thresholds } = checkOptions(options);
  const correction = options.correction ?? "bonferroni";
  const method = options.method ?? "auto";
  const profile = isProfile(reference);
  const nReference = profile ? reference.n_rows : reference.nRows;
  if (nReference === 0) throw new DataError("the reference window is empty: it has no rows");
  if (current.nRows === 0) throw new DataError("the current window is empty: it has no rows");
  checkColumns(columnNames(reference.columns), columnNames(current.columns));

  const outcomes = profile
    ? compareProfile(reference, current, method)
    : compareFrames(reference, current, method);

  let multivariate: MultivariateEntry;
  let classifier: { auc: number; pValue: number } | undefined;
  const wantMultivariate = options.multivariate ?? true;
  if (profile) {
    multivariate = {
      drift: false,
      auc: null,
      p_value: null,
      threshold: null,
      method: "domain_classifier",
      skipped: "the reference is a stored profile: there are no reference rows to train on",
    };
  } else if (!wantMultivariate) {
    multivariate = {
      drift: false,
      auc: null,
      p_value: null,
      threshold: null,
      method: "domain_classifier",
      skipped: "disabled",
    };
  } else if (reference.nRows < 2 || current.nRows < 2) {
    multivariate = {
      drift: false,
      auc: null,
      p_value: null,
      threshold: null,
      method: "domain_classifier",
      skipped: "insufficient data: each window needs at least 2 rows",
    };
  } else {
    classifier = await computeDomainClassifier(reference, current, {
      seed: options.seed ?? 0,
      ...(options.multivariateMaxRows === undefined ? {} : { maxRowsPerWindow: options.multivariateMaxRows }),
    });
    multivariate = {
      drift: false,
      auc: classifier.auc,
      p_value: classifier.pValue,
      threshold: null,
      method: "domain_classifier",
    };
  }

  const family: number[] = [];
  for (const o of outcomes) {
    if (o.pValue !== null) family.push(o.pValue);
    for (const t of o.tests) family.push(t.pValue);
  }
  const decision = decideThreshold(reference, current, outcomes, family, classifier, {
    alpha,
    correction,
    seed: options.seed ?? 0,
    permutations: options.permutations ?? DEFAULT_PERMUTATIONS,
    budget: options.permutationBudget ?? DEFAULT_PERMUTATION_BUDGET,
  });
  const pThreshold = decision.threshold;

  const features = outcomes.map((o): DriftFeatureEntry => {
    const tests = o.tests.map((t): DriftTestEntry => ({
      name: t.name,
      statistic: t.statistic,
      p_value: t.pValue,
      threshold: pThreshold,
      drift: t.pValue <= pThreshold,
      ...t.details,
    }));
    const distance = o.method === "psi" || o.method === "js" || o.method === "wasserstein";
    const threshold = distance ? thresholds[o.method] : pThreshold;
    const primaryDrift =
      o.statistic === null
        ? false
        : distance
          ? o.statistic >= threshold
          : o.pValue !== null && o.pValue <= pThreshold;
    const drift = primaryDrift || tests.some((t) => t.drift);
    return {
      name: o.name,
      type: o.type,
      method: o.method,
      statistic: o.statistic,
      p_value: o.pValue,
      threshold,
      drift,
      severity: decideSeverity(drift, o.effect),
      tests,
      ...(o.insufficient === undefined ? {} : { insufficient_data: o.insufficient }),
    };
  });
  if (classifier) {
    const t = decision.classifierThreshold;
    multivariate = { ...multivariate, threshold: t, drift: classifier.pValue <= t };
  }
  const drifted = features.filter((f) => f.drift).length;
  return {
    drift: drifted > 0 || multivariate.drift,
    drift_share: features.length > 0 ? drifted / features.length : 0,
    n_reference: nReference,
    n_current: current.nRows,
    features,
    multivariate,
    correction: decision.entry,
  };
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

interface ThresholdDecision {
  readonly threshold: number;
  readonly classifierThreshold: number;
  readonly entry: CorrectionEntry;
}

/**
 * The family's threshold. With the domain classifier the univariate tests
 * get α·M/(M + 1) and the classifier α/(M + 1), M the univariate family's
 * (effective) size: a weighted Bonferroni split, so the dataset-level
 * decision stays at α overall.
 */
function decideThreshold(
  reference: Frame | ReferenceProfile,
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
  if (isProfile(reference) || family.length === 0) {
    const threshold = computeRejectionThreshold(
      classifier ? [...family, classifier.pValue] : family,
      alpha,
      "bonferroni",
    );
    return { threshold, classifierThreshold: threshold, entry: { method: "bonferroni", alpha, tests } };
  }
  const permutations = options.permutations;
  const usePermutations =
    permutations > 0 && estimateMinPWork(reference, current, outcomes, permutations) <= options.budget;
  const effective = !usePermutations || classifier ? effectiveFamilySize(reference, outcomes) : undefined;
  if (usePermutations) {
    const univariateAlpha = classifier ? (alpha * effective!) / (effective! + 1) : alpha;
    const b = Math.max(permutations, Math.ceil(1 / univariateAlpha) - 1);
    const calibration = calibrateMinP(reference, current, outcomes, {
      alpha: univariateAlpha,
      permutations: b,
      seed: options.seed,
      // A tenth of Bonferroni's threshold: p-values this small reject without
      // shuffles (a strong drift costs none), and the floor sits far enough
      // below the calibrated threshold not to raise the false-alarm rate
      // (at α/m it did, by about a point, on near-independent columns).
      floor: univariateAlpha / (10 * family.length),
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
  const m = effective! + (classifier ? 1 : 0);
  const threshold = alpha / m;
  return {
    threshold,
    classifierThreshold: threshold,
    entry: { method: "bonferroni_effective", alpha, tests, effective_tests: round(effective!) },
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
