/**
 * Two-sample Kolmogorov–Smirnov test, two-sided, with the p-value SciPy's
 * `ks_2samp(method="auto")` gives: the exact distribution when both samples
 * hold at most 10,000 values, the Kolmogorov distribution at the effective
 * size `round(n·m/(n+m))` above that.
 */
import { kolmogorovSf } from "../../common/statistics/kolmogorov.js";

/** Largest sample for which `auto` computes the exact p-value (SciPy's `MAX_AUTO_N`). */
export const KS_EXACT_MAX_N = 10_000;

/** Result of {@link computeKsTest}. */
export interface KsResult {
  /** The KS statistic D = sup |F₁ − F₂|. */
  readonly statistic: number;
  readonly pValue: number;
  /** Which distribution gave the p-value. */
  readonly mode: "exact" | "asymp";
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Running extremes of `i/n1 − j/n2` over a walk (see {@link walkKsDifferences}). */
export interface KsExtremes {
  /** Largest difference seen, at least 0. */
  max: number;
  /** Smallest difference seen, at most 0. */
  min: number;
}

/**
 * Walks the stretches `sorted1[from1, to1)` and `sorted2[from2, to2)` of two
 * sorted samples of sizes `n1` and `n2` in value order, and widens `extremes`
 * by every difference `i/n1 − j/n2` formed after all ties at a value, `i`
 * and `j` counting the values at most it (`before1`, `before2`: values of
 * each sample below the stretch). The stretches must hold every value of
 * both samples in their value range. The differences are formed exactly as
 * SciPy's `searchsorted(side="right")` forms them, so D matches bit for bit,
 * and a walk split into stretches gives the same D as one walk.
 */
export function walkKsDifferences(
  sorted1: Float64Array,
  from1: number,
  to1: number,
  before1: number,
  sorted2: Float64Array,
  from2: number,
  to2: number,
  before2: number,
  n1: number,
  n2: number,
  extremes: KsExtremes,
): void {
  let i = from1;
  let j = from2;
  let maxS = extremes.max;
  let minS = extremes.min;
  const shift1 = before1 - from1;
  const shift2 = before2 - from2;
  while (i < to1 || j < to2) {
    const a = i < to1 ? sorted1[i]! : Number.POSITIVE_INFINITY;
    const b = j < to2 ? sorted2[j]! : Number.POSITIVE_INFINITY;
    const v = a <= b ? a : b;
    while (i < to1 && sorted1[i]! <= v) i++;
    while (j < to2 && sorted2[j]! <= v) j++;
    const diff = (i + shift1) / n1 - (j + shift2) / n2;
    if (diff > maxS) maxS = diff;
    if (diff < minS) minS = diff;
  }
  extremes.max = maxS;
  extremes.min = minS;
}

/** D = sup |F₁ − F₂| for two sorted samples (see {@link walkKsDifferences}). */
export function computeKsStatistic(sorted1: Float64Array, sorted2: Float64Array): number {
  const n1 = sorted1.length;
  const n2 = sorted2.length;
  const extremes = { max: 0, min: 0 };
  walkKsDifferences(sorted1, 0, n1, 0, sorted2, 0, n2, 0, n1, n2, extremes);
  return Math.max(extremes.max, -extremes.min);
}

/** `P(D ≥ h/n)` for two samples of equal size n (alternating series, Horner form). */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let term = 1;
    for (let j = 0; j < h; j++) term = ((n - k * h - j) * term) / (n + k * h + j + 1);
    p = term * (1 - p);
  }
  return 2 * p;
}

/**
 * `P(D ≥ h/lcm)` for unequal sizes: lattice paths that leave the band
 * |x/m − y/n| < h/lcm, with the recursion carried on 1 − probability
 * (Viehmann 2021) so it stays accurate in the far tail.
 */
function probOutsideBand(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const a = new Float64Array(Math.max(lenA, n + 1)).fill(1);
  for (let x = minj; x < maxj; x++) a[x] = 0;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (a[jj + minj - lastminj]! * i + val * j) / (i + j);
      a[jj] = val;
    }
    curlen = maxj - minj;
    for (let x = curlen; x < lastlen; x++) a[x] = 1;
  }
  return a[maxj - minj - 1]!;
}

function exactPValue(n1: number, n2: number, d: number): { ok: boolean; statistic: number; pValue: number } {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = Math.round(d * lcm);
  const statistic = h / lcm;
  if (h === 0) return { ok: true, statistic, pValue: 1 };
  const p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
  return { ok: Number.isFinite(p) && p >= 0 && p <= 1, statistic, pValue: p };
}

/**
 * Two-sided two-sample KS test on samples already sorted ascending (no NaN).
 * Both must be non-empty.
 */
export function computeKsTestSorted(sorted1: Float64Array, sorted2: Float64Array): KsResult {
  const n1 = sorted1.length;
  const n2 = sorted2.length;
  if (n1 === 0 || n2 === 0) throw new RangeError("KS test needs two non-empty samples");
  return computeKsFromStatistic(n1, n2, computeKsStatistic(sorted1, sorted2));
}

/**
 * The KS result for a statistic D already computed on samples of sizes
 * `n1` and `n2` (both positive): the same p-value (and rounding of D) as
 * {@link computeKsTestSorted}. The permutation calibration uses it, so a
 * permuted window is judged exactly like the observed one.
 */
export function computeKsFromStatistic(n1: number, n2: number, d: number): KsResult {
  if (Math.max(n1, n2) <= KS_EXACT_MAX_N) {
    const exact = exactPValue(n1, n2, d);
    if (exact.ok) return { statistic: exact.statistic, pValue: exact.pValue, mode: "exact" };
  }
  const en = (n1 * n2) / (n1 + n2);
  return { statistic: d, pValue: kolmogorovSfRounded(en, d), mode: "asymp" };
}

function kolmogorovSfRounded(en: number, d: number): number {
  // numpy rounds half to even; en is rarely a half-integer, but match it when it is.
  const floor = Math.floor(en);
  const frac = en - floor;
  const n = frac === 0.5 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(en);
  return kolmogorovSf(Math.max(1, n), d);
}

/** Two-sided two-sample KS test on unsorted samples (copied, then sorted). */
export function computeKsTest(sample1: Float64Array, sample2: Float64Array): KsResult {
  const s1 = Float64Array.from(sample1).sort();
  const s2 = Float64Array.from(sample2).sort();
  return computeKsTestSorted(s1, s2);
}
