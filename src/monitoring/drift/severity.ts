/**
 * Per-feature severity of drift from the PSI effect size. (The decision
 * whether a column drifted at all is the multiple-testing correction in
 * common/statistics/multiple-testing.ts.)
 */

/** Severity of a column's drift. */
export const SEVERITIES = ["none", "low", "medium", "high"] as const;
/** Severity of a column's drift. */
export type Severity = (typeof SEVERITIES)[number];

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
