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
import { decideSeverity, type Severity } from "./severity.js";
import { computeDomainClassifier, type DomainClassifierResult } from "./domain-classifier.js";
import { decideThreshold, type CorrectionEntry } from "./family-threshold.js";
import { DEFAULT_PERMUTATION_BUDGET, DEFAULT_PERMUTATIONS } from "./min-p.js";
import type { Correction } from "../../common/statistics/multiple-testing.js";
import { DEFAULT_DISTANCE_THRESHOLDS, type MethodChoice, type DriftMethod } from "./methods.js";
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
  const { multivariate: untested, classifier } = profile
    ? { multivariate: skippedMultivariate(PROFILE_SKIP) }
    : await runMultivariate(reference, current, options);
  const decision = decideThreshold(
    profile ? null : reference,
    current,
    outcomes,
    collectFamily(outcomes),
    classifier,
    {
      alpha,
      correction,
      seed: options.seed ?? 0,
      permutations: options.permutations ?? DEFAULT_PERMUTATIONS,
      budget: options.permutationBudget ?? DEFAULT_PERMUTATION_BUDGET,
      method,
    },
  );
  const features = outcomes.map((o) => buildFeatureEntry(o, decision.threshold, thresholds));
  const multivariate = classifier
    ? {
        ...untested,
        threshold: decision.classifierThreshold,
        drift: classifier.pValue <= decision.classifierThreshold,
      }
    : untested;
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

const PROFILE_SKIP = "the reference is a stored profile: there are no reference rows to train on";

function skippedMultivariate(reason: string): MultivariateEntry {
  return {
    drift: false,
    auc: null,
    p_value: null,
    threshold: null,
    method: "domain_classifier",
    skipped: reason,
  };
}

/** Runs the domain classifier when it is wanted and both windows have rows enough; its threshold comes later. */
async function runMultivariate(
  reference: Frame,
  current: Frame,
  options: DriftOptions,
): Promise<{ multivariate: MultivariateEntry; classifier?: DomainClassifierResult }> {
  if (!(options.multivariate ?? true)) return { multivariate: skippedMultivariate("disabled") };
  if (reference.nRows < 2 || current.nRows < 2) {
    return { multivariate: skippedMultivariate("insufficient data: each window needs at least 2 rows") };
  }
  const classifier = await computeDomainClassifier(reference, current, {
    seed: options.seed ?? 0,
    ...(options.multivariateMaxRows === undefined ? {} : { maxRowsPerWindow: options.multivariateMaxRows }),
  });
  const multivariate: MultivariateEntry = {
    drift: false,
    auc: classifier.auc,
    p_value: classifier.pValue,
    threshold: null,
    method: "domain_classifier",
  };
  return { multivariate, classifier };
}

/** Every p-value of the univariate family: each column's primary test and its secondary tests. */
function collectFamily(outcomes: readonly ColumnOutcome[]): number[] {
  const family: number[] = [];
  for (const o of outcomes) {
    if (o.pValue !== null) family.push(o.pValue);
    for (const t of o.tests) family.push(t.pValue);
  }
  return family;
}

/** A column's report entry: drift by the family's p-value threshold, or by the distance threshold for distances. */
function buildFeatureEntry(
  o: ColumnOutcome,
  pThreshold: number,
  thresholds: DistanceThresholds,
): DriftFeatureEntry {
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
}
