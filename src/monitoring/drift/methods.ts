/**
 * Drift methods and the `auto` rule that picks one per column.
 *
 * `auto`, by column type and size:
 * - categorical (or numeric with exactly two distinct values): two categories
 *   across both windows → `z` (two-proportion Z test); more → `chi2`;
 * - numeric with at most 20 distinct reference values → `chi2` on the values
 *   (KS is conservative on heavily tied data);
 * - other numeric columns → `ks` against raw reference rows (exact p-value up
 *   to 10,000 values per window, asymptotic above), or `chi2` on the
 *   reference decile bins when the reference is a stored profile.
 * `psi`, `js` and `wasserstein` are distances without a p-value; a column
 * drifts when the distance reaches its threshold.
 */

/** The tests a column can be judged by. */
export const DRIFT_METHODS = ["ks", "chi2", "z", "psi", "js", "wasserstein"] as const;
/** A test a column can be judged by. */
export type DriftMethod = (typeof DRIFT_METHODS)[number];

/** Methods that give a p-value (the others are distances with a fixed threshold). */
export const P_VALUE_METHODS: readonly DriftMethod[] = ["ks", "chi2", "z"];

/** What the user may ask for: one method, or `auto`. */
export type MethodChoice = DriftMethod | "auto";

/** Default distance thresholds: PSI 0.2, JS distance (base 2) 0.1, Wasserstein 0.1 σ. */
export const DEFAULT_DISTANCE_THRESHOLDS = { psi: 0.2, js: 0.1, wasserstein: 0.1 } as const;

/** Most distinct values for which a numeric column is tested as discrete. */
export const DISCRETE_AUTO_MAX = 20;
