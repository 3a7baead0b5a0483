/**
 * The drift decision across all tests of one report: a multiple-testing
 * correction (Bonferroni by default, Benjamini–Hochberg on request) over
 * every p-value — primary tests, secondary tests and the domain classifier —
 * so the chance of a false dataset-level alarm stays at α; per-feature
 * severity from the PSI effect size.
 */
import type { Correction } from "./methods.js";

/** Severity of a column's drift. */
export const SEVERITIES = ["none", "low", "medium", "high"] as const;
/** Severity of a column's drift. */
export type Severity = (typeof SEVERITIES)[number];

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
  if (correction === "bonferroni") return alpha / m;
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

/**
 * Severity of a drifted column from its PSI: below 0.1 `low`, below 0.25
 * `medium`, else `high` (the usual PSI bands). A column that did not drift
 * has severity `none`.
 */
export function decideSeverity(drift: boolean, psi: number): Severity {
  if (!drift) return "none";
  if (!(psi >= 0.1)) return "low";
  return psi < 0.25 ? "medium" : "high";
}
