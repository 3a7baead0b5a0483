/**
 * Analysis of a candidate's health against an environment's `checks`. Pure:
 * the server counts, this decides. An analysis with too few requests (or too
 * few labelled or drift rows for the checks that need them) does not count
 * either way, so a quiet canary neither fails nor advances.
 */
import type { Checks } from "../config/environment.js";
import { computeBonferroniThreshold } from "../common/statistics/multiple-testing.js";

/** What the server measured for one model over one analysis window. */
export interface CheckWindow {
  readonly requests: number;
  readonly errors: number;
  /** p99 latency in milliseconds, null when no request finished. */
  readonly latencyP99Ms: number | null;
  /** Per-feature drift p-values over the sliding drift window, and the rows it holds. */
  readonly drift: { readonly rows: number; readonly pValues: Readonly<Record<string, number>> } | null;
  /** Feedback joined since the rollout started. */
  readonly accuracy: { readonly correct: number; readonly total: number } | null;
}

/** Names of the checks, as they appear in evidence and `/v1/rollout`. */
export const CHECK_NAMES = ["error_rate", "latency_p99", "drift", "accuracy"] as const;
/** One check's name. */
export type CheckName = (typeof CHECK_NAMES)[number];

/** One check's verdict. */
export interface CheckResult {
  readonly check: CheckName;
  readonly value: number;
  readonly threshold: number;
  readonly direction: "above" | "below";
  readonly passed: boolean;
  /** The feature with the smallest p-value (drift only). */
  readonly feature?: string;
}

/** The verdict of one analysis. */
export interface CheckAnalysis {
  readonly status: "pass" | "fail" | "insufficient";
  readonly requests: number;
  readonly results: readonly CheckResult[];
}

/**
 * Judges a window. Drift uses a Bonferroni split of `alpha` across features,
 * so the dataset-level false-alarm rate stays at `alpha` however many
 * features the model has.
 */
export function analyseChecks(checks: Checks, window: CheckWindow): CheckAnalysis {
  if (window.requests < Math.max(1, checks.min_requests)) {
    return { status: "insufficient", requests: window.requests, results: [] };
  }
  const results: CheckResult[] = [];
  if (checks.error_rate !== undefined) {
    const rate = window.errors / window.requests;
    const max = checks.error_rate.max;
    results.push({
      check: "error_rate",
      value: rate,
      threshold: max,
      direction: "above",
      passed: rate <= max,
    });
  }
  if (checks.latency_p99 !== undefined && window.latencyP99Ms !== null) {
    const max = checks.latency_p99.max_ms;
    const p99 = window.latencyP99Ms;
    results.push({
      check: "latency_p99",
      value: p99,
      threshold: max,
      direction: "above",
      passed: p99 <= max,
    });
  }
  if (checks.drift !== undefined && window.drift !== null && window.drift.rows >= checks.drift.min_samples) {
    const entries = Object.entries(window.drift.pValues).filter(([, p]) => Number.isFinite(p));
    if (entries.length > 0) {
      const threshold = computeBonferroniThreshold(checks.drift.alpha, entries.length);
      let [feature, minP] = entries[0]!;
      for (const [name, p] of entries) if (p < minP) [feature, minP] = [name, p];
      results.push({
        check: "drift",
        value: minP,
        threshold,
        direction: "below",
        passed: minP >= threshold,
        feature,
      });
    }
  }
  if (
    checks.accuracy !== undefined &&
    window.accuracy !== null &&
    window.accuracy.total >= checks.accuracy.min_samples
  ) {
    const accuracy = window.accuracy.correct / window.accuracy.total;
    const min = checks.accuracy.min;
    results.push({
      check: "accuracy",
      value: accuracy,
      threshold: min,
      direction: "below",
      passed: accuracy >= min,
    });
  }
  return {
    status: results.every((r) => r.passed) ? "pass" : "fail",
    requests: window.requests,
    results,
  };
}
