/**
 * Compares one column between the reference and the current window and
 * returns raw results — statistic and unadjusted p-value of the primary
 * test, plus the secondary tests (missing-value rate, unseen categories).
 * The decision (multiple-testing correction, severity) is made afterwards in
 * decision.ts, across all columns at once.
 */
import { computeChiSquaredTest } from "./chi-squared.js";
import { computeJensenShannon, computePsi, computeWassersteinSorted } from "./distances.js";
import { computeKsFromStatistic } from "./ks.js";
import { DISCRETE_AUTO_MAX, type DriftMethod, type MethodChoice } from "./methods.js";
import type { NumericPair } from "./numeric-pair.js";
import type { CategoricalColumnProfile, NumericColumnProfile } from "../profile/profile.js";
import { computeNewCategoryTest, computeNullRateTest, computeTwoProportionZTest } from "./proportions.js";
import { countBins } from "../profile/bins.js";
import { computePopulationStd } from "../../common/statistics/descriptive.js";

/** A secondary test on a column. */
export interface SecondaryOutcome {
  readonly name: "null_rate" | "new_category";
  readonly statistic: number;
  readonly pValue: number;
  /** Extra facts for the report (e.g. the unseen categories). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Raw result for one column, before the decision. */
export interface ColumnOutcome {
  readonly name: string;
  readonly type: "numeric" | "categorical";
  readonly method: DriftMethod;
  /** Null when a window has no non-missing value ("insufficient data"). */
  readonly statistic: number | null;
  /** Unadjusted p-value; null for distance methods and insufficient data. */
  readonly pValue: number | null;
  /** PSI between the two windows on the same bins or categories: the severity scale. */
  readonly effect: number;
  readonly tests: readonly SecondaryOutcome[];
  /** Why the primary test could not run, if it could not. */
  readonly insufficient?: string;
}

/** Category counts of one window. */
export interface CategoryCounts {
  readonly counts: ReadonlyMap<string, number>;
  readonly missing: number;
  /** Values counted together as "other" (a profile's tail), 0 for raw data. */
  readonly other: number;
}

/** Thresholds of the distance methods. */
export interface DistanceThresholds {
  readonly psi: number;
  readonly js: number;
  readonly wasserstein: number;
}

/** Categories rarer than this in the pooled windows are tested together, so chi-squared stays calibrated. */
export const MIN_EXPECTED_COUNT = 5;

function nullRate(refMissing: number, refN: number, curMissing: number, curN: number): SecondaryOutcome[] {
  if (refMissing === 0 && curMissing === 0) return [];
  const r = computeNullRateTest(refMissing, refN, curMissing, curN);
  return [
    {
      name: "null_rate",
      statistic: r.statistic,
      pValue: r.pValue,
      details: { reference_rate: refMissing / refN, current_rate: curMissing / curN },
    },
  ];
}

function countsAt(sample: Float64Array, values: readonly number[]): { counts: number[]; unseen: number } {
  const index = new Map(values.map((v, i) => [v, i] as const));
  const counts = values.map(() => 0);
  let unseen = 0;
  for (let i = 0; i < sample.length; i++) {
    const at = index.get(sample[i]!);
    if (at === undefined) unseen++;
    else counts[at]!++;
  }
  return { counts, unseen };
}

/** Pools cells whose pooled count is below {@link MIN_EXPECTED_COUNT} into one last cell. */
function poolRare(ref: readonly number[], cur: readonly number[]): { ref: number[]; cur: number[] } {
  const r: number[] = [];
  const c: number[] = [];
  let rareR = 0;
  let rareC = 0;
  for (let i = 0; i < ref.length; i++) {
    if (ref[i]! + cur[i]! < MIN_EXPECTED_COUNT) {
      rareR += ref[i]!;
      rareC += cur[i]!;
    } else {
      r.push(ref[i]!);
      c.push(cur[i]!);
    }
  }
  if (rareR + rareC > 0) {
    r.push(rareR);
    c.push(rareC);
  }
  return { ref: r, cur: c };
}

function testCounts(
  method: DriftMethod,
  ref: readonly number[],
  cur: readonly number[],
): { statistic: number; pValue: number | null } {
  switch (method) {
    case "psi":
      return { statistic: computePsi(ref, cur), pValue: null };
    case "js":
      return { statistic: computeJensenShannon(ref, cur), pValue: null };
    case "z": {
      const nr = ref.reduce((s, x) => s + x, 0);
      const nc = cur.reduce((s, x) => s + x, 0);
      const z = computeTwoProportionZTest(ref[0] ?? 0, nr, cur[0] ?? 0, nc);
      return { statistic: z.statistic, pValue: z.pValue };
    }
    default: {
      const pooled = poolRare(ref, cur);
      const chi = computeChiSquaredTest(pooled.ref, pooled.cur);
      return { statistic: chi.statistic, pValue: chi.pValue };
    }
  }
}

function insufficient(
  name: string,
  type: "numeric" | "categorical",
  method: DriftMethod,
  reason: string,
  tests: SecondaryOutcome[],
): ColumnOutcome {
  return { name, type, method, statistic: null, pValue: null, effect: 0, tests, insufficient: reason };
}

function emptyReason(refN: number, curN: number): string | undefined {
  if (refN === 0 && curN === 0) return "insufficient data: all values are missing in both windows";
  if (refN === 0) return "insufficient data: all reference values are missing";
  if (curN === 0) return "insufficient data: all current values are missing";
  return undefined;
}

/**
 * The test `method: auto` picks for a numeric column against raw rows: a
 * reference with at most {@link DISCRETE_AUTO_MAX} distinct values is
 * discrete (two-proportion z when both windows have at most two values, else
 * χ² on the values), any other is KS. `refDistinct` is undefined above the
 * limit; `currentAtMostTwo` is asked only when it matters.
 */
export function chooseNumericMethod(
  choice: MethodChoice,
  refDistinct: number | undefined,
  currentAtMostTwo: () => boolean,
): DriftMethod {
  const discrete = refDistinct !== undefined && refDistinct > 0;
  const method: DriftMethod =
    choice !== "auto" ? choice : discrete ? (refDistinct <= 2 && currentAtMostTwo() ? "z" : "chi2") : "ks";
  return method === "z" && !(refDistinct !== undefined && refDistinct <= 2) ? "chi2" : method;
}

/**
 * χ² (or z) on a discrete numeric column's counts: `ref` and `cur` at the
 * reference's distinct values, `unseen` current rows at values the
 * reference never had (they form one more cell). Shared by the column test
 * and the permutation calibration, so both compute the same p-value.
 */
export function testDiscreteCounts(
  method: "chi2" | "z",
  ref: readonly number[],
  cur: readonly number[],
  unseen: number,
): { method: DriftMethod; statistic: number; pValue: number | null; ref: number[]; cur: number[] } {
  const r = unseen > 0 ? [...ref, 0] : [...ref];
  const c = unseen > 0 ? [...cur, unseen] : [...cur];
  const chosen = method === "z" && r.length > 2 ? "chi2" : method;
  return { method: chosen, ...testCounts(chosen, r, c), ref: r, cur: c };
}

/** Compares a numeric column with raw reference rows. */
export function compareNumericSamples(name: string, pair: NumericPair, choice: MethodChoice): ColumnOutcome {
  const refN = pair.reference.count;
  const curN = pair.current.count;
  const tests = nullRate(
    pair.reference.missing,
    refN + pair.reference.missing,
    pair.current.missing,
    curN + pair.current.missing,
  );
  const refDistinct = pair.distinct("reference", DISCRETE_AUTO_MAX);
  const discrete = refDistinct !== undefined && refDistinct.length > 0;
  const method = chooseNumericMethod(
    choice,
    refDistinct?.length,
    () => pair.distinct("current", 2) !== undefined,
  );
  const reason = emptyReason(refN, curN);
  if (reason) return insufficient(name, "numeric", method, reason, tests);

  const referenceEdges = pair.referenceDecileEdges();
  const binRef = Array.from(pair.countBins("reference", referenceEdges));
  const binCur = Array.from(pair.countBins("current", referenceEdges));
  let effect = computePsi(binRef, binCur);

  if (method === "ks") {
    const ks = computeKsFromStatistic(refN, curN, pair.ksStatistic());
    return { name, type: "numeric", method, statistic: ks.statistic, pValue: ks.pValue, effect, tests };
  }
  if (method === "wasserstein") {
    const reference = pair.sorted("reference");
    const d = computeWassersteinSorted(reference, pair.sorted("current"));
    const std = computePopulationStd(reference);
    return { name, type: "numeric", method, statistic: std > 0 ? d / std : d, pValue: null, effect, tests };
  }
  if (discrete && (method === "chi2" || method === "z")) {
    const values = refDistinct;
    const r = countsAt(pair.values("reference"), values).counts;
    const cc = countsAt(pair.values("current"), values);
    const t = testDiscreteCounts(method, r, cc.counts, cc.unseen);
    effect = computePsi(t.ref, t.cur);
    return {
      name,
      type: "numeric",
      method: t.method,
      statistic: t.statistic,
      pValue: t.pValue,
      effect,
      tests,
    };
  }
  const t = testCounts(method === "z" ? "chi2" : method, binRef, binCur);
  return {
    name,
    type: "numeric",
    method: method === "z" ? "chi2" : method,
    statistic: t.statistic,
    pValue: t.pValue,
    effect,
    tests,
  };
}

/** Non-missing values of a window in any order (binning needs no sort) and the missing count. */
export interface NumericValues {
  readonly values: Float64Array;
  readonly missing: number;
}

/**
 * Compares a numeric column against a stored reference profile (binned
 * tests only). One pass over the current values, no sort: this is the path
 * that keeps a million-row window fast.
 */
export function compareNumericToProfile(
  profile: NumericColumnProfile,
  current: NumericValues,
  choice: MethodChoice,
): ColumnOutcome {
  const name = profile.name;
  const refN = profile.count;
  const curN = current.values.length;
  const tests = nullRate(
    profile.null_count,
    refN + profile.null_count,
    current.missing,
    curN + current.missing,
  );
  const discrete = profile.values !== null && profile.value_counts !== null;
  let method: DriftMethod =
    choice === "auto" || choice === "ks" || choice === "wasserstein" ? "chi2" : choice;
  if (choice === "auto" && discrete && profile.values!.length <= 2) method = "z";
  const reason = emptyReason(refN, curN);
  if (reason) return insufficient(name, "numeric", method, reason, tests);
  let ref: number[];
  let cur: number[];
  if (discrete) {
    const cc = countsAt(current.values, profile.values!);
    ref = cc.unseen > 0 ? [...profile.value_counts!, 0] : [...profile.value_counts!];
    cur = cc.unseen > 0 ? [...cc.counts, cc.unseen] : cc.counts;
  } else {
    ref = [...profile.bin_counts];
    cur = Array.from(countBins(current.values, profile.bin_edges));
  }
  if (method === "z" && ref.length > 2) method = "chi2";
  const t = testCounts(method, ref, cur);
  return {
    name,
    type: "numeric",
    method,
    statistic: t.statistic,
    pValue: t.pValue,
    effect: computePsi(ref, cur),
    tests,
  };
}

/** Category counts of a stored categorical profile. */
export function countsFromProfile(profile: CategoricalColumnProfile): CategoryCounts {
  return {
    counts: new Map(profile.categories.map((c, i) => [c, profile.category_counts[i]!] as const)),
    missing: profile.null_count,
    other: profile.other_count,
  };
}

/** Compares a categorical column. */
export function compareCategories(
  name: string,
  reference: CategoryCounts,
  current: CategoryCounts,
  choice: MethodChoice,
): ColumnOutcome {
  let refN = reference.other;
  for (const c of reference.counts.values()) refN += c;
  let curN = current.other;
  for (const c of current.counts.values()) curN += c;
  const tests = nullRate(
    reference.missing,
    refN + reference.missing,
    current.missing,
    curN + current.missing,
  );
  const categories = [...reference.counts.keys()];
  const ref = categories.map((c) => reference.counts.get(c)!);
  const cur = categories.map((c) => current.counts.get(c) ?? 0);
  // Current values outside the reference's kept categories: unseen ones, or
  // the profile's "other" tail when the reference has one.
  let outside = current.other;
  const unseen: string[] = [];
  for (const [value, count] of current.counts) {
    if (!reference.counts.has(value)) {
      outside += count;
      unseen.push(value);
    }
  }
  if (reference.other > 0 || outside > 0) {
    ref.push(reference.other);
    cur.push(outside);
  }
  if (reference.other === 0 && unseen.length > 0 && curN > 0) {
    let newRows = 0;
    for (const u of unseen) newRows += current.counts.get(u)!;
    const t = computeNewCategoryTest(newRows, refN, curN);
    tests.push({
      name: "new_category",
      statistic: t.statistic,
      pValue: t.pValue,
      details: { categories: unseen.sort().slice(0, 20), new_rows: newRows },
    });
  }
  const nonEmpty = ref.reduce((k, r, i) => k + (r + cur[i]! > 0 ? 1 : 0), 0);
  let method: DriftMethod = choice === "auto" ? (nonEmpty <= 2 ? "z" : "chi2") : choice;
  if (method === "ks" || method === "wasserstein") method = "chi2";
  const reason = emptyReason(refN, curN);
  if (reason) return insufficient(name, "categorical", method, reason, tests);
  let r = ref;
  let c = cur;
  if (method === "z") {
    const keep = ref.map((x, i) => i).filter((i) => ref[i]! + cur[i]! > 0);
    if (keep.length > 2) method = "chi2";
    else {
      r = keep.map((i) => ref[i]!);
      c = keep.map((i) => cur[i]!);
    }
  }
  const t = testCounts(method, r, c);
  return {
    name,
    type: "categorical",
    method,
    statistic: t.statistic,
    pValue: t.pValue,
    effect: computePsi(ref, cur),
    tests,
  };
}
