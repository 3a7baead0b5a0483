/**
 * Multiple-testing corrections: how far a family of p-values must fall
 * before any of them rejects, so the chance of a false alarm over the whole
 * family stays at α (Bonferroni) or the expected share of false discoveries
 * does (Benjamini–Hochberg).
 */

/** Multiple-testing corrections across a family of tests. */
export const CORRECTIONS = ["bonferroni", "bh"] as const;
/** A multiple-testing correction: Bonferroni (family-wise error) or Benjamini–Hochberg (false discovery rate). */
export type Correction = (typeof CORRECTIONS)[number];

/**
 * Bonferroni's per-test threshold α/m for a family of `tests` tests. A family
 * of none is treated as one test, so the threshold stays finite.
 */
export function computeBonferroniThreshold(alpha: number, tests: number): number {
  return alpha / Math.max(1, tests);
}

/**
 * Rejection threshold on raw p-values for a family of tests: α/m for
 * Bonferroni; for Benjamini–Hochberg the largest p_(k) with p_(k) ≤ k·α/m
 * (or α/m, the smallest threshold, when none qualifies — then nothing is
 * rejected, as no p-value is below it). A p-value rejects when `p ≤ threshold`.
 * Non-finite p-values are not tests and are ignored.
 */
export function computeRejectionThreshold(
  pValues: readonly number[],
  alpha: number,
  correction: Correction,
): number {
  const ps = pValues.filter((p) => Number.isFinite(p));
  const m = ps.length;
  if (m === 0) return alpha;
  if (correction === "bonferroni") return computeBonferroniThreshold(alpha, m);
  const sorted = [...ps].sort((a, b) => a - b);
  let threshold = alpha / m;
  for (let k = m; k >= 1; k--) {
    if (sorted[k - 1]! <= (k * alpha) / m) {
      threshold = Math.max(threshold, sorted[k - 1]!);
      break;
    }
  }
  return threshold;
}
