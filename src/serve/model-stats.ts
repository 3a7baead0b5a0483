/**
 * What the server counts for one served model: the analysis window a
 * rollout judges (requests, errors, latencies since the last analysis), the
 * sliding drift window of each numeric feature (bin counts at the reference
 * deciles, a ring of the last `window` rows) and of each categorical one
 * (counts of the profile's kept categories, "other" and "new"), running
 * totals for Prometheus, and feedback accuracy. Typed arrays only: this runs on every
 * request.
 */
import type { CheckWindow } from "../deploy/checks.js";
import type {
  CategoricalColumnProfile,
  NumericColumnProfile,
  ReferenceProfile,
} from "../monitoring/profile/profile.js";
import { computeNearestRankQuantile } from "../common/statistics/quantiles.js";
import { lowerBound } from "../common/statistics/search.js";
import {
  computeCategoryWindowDrift,
  computeWindowDrift,
  type CategoryWindowCounts,
} from "../monitoring/drift/windowed.js";
import type { OnnxColumns } from "../onnx/index.js";

/** Latencies kept per analysis window for its p99; older ones are overwritten. */
const LATENCY_CAPACITY = 4096;
/** Marks a missing value in a drift ring. */
const MISSING = 255;
/** Marks a missing value in a category ring. */
const MISSING_SLOT = 0xffff;
/** What a request carries for a missing category (JSON null). */
const MISSING_CATEGORY = "";

/** The drift window of one numeric feature. */
export interface FeatureWindow {
  readonly name: string;
  readonly profile: NumericColumnProfile;
  readonly edges: Float64Array;
  /** Bin counts in the sliding window (bins = edges + 1). */
  readonly counts: Int32Array;
  /** Running totals since start, for the Prometheus counters. */
  readonly totals: Float64Array;
  missingTotal: number;
  /** Bin of each of the last rows, MISSING for a missing value. */
  readonly ring: Uint8Array;
  ringFilled: number;
  ringNext: number;
  missingInWindow: number;
}

/**
 * The drift window of one categorical feature. Slots: the profile's kept
 * categories in its order, then `other` (a value training saw beyond the
 * kept ones), then `new` (a value training never saw).
 */
export interface CategoryWindow {
  readonly name: string;
  readonly profile: CategoricalColumnProfile;
  /** Slot of each kept category. */
  readonly slots: ReadonlyMap<string, number>;
  /** Values training saw beyond the kept categories, when the model card lists them. */
  readonly seen: ReadonlySet<string> | null;
  /** Counts in the sliding window, one per slot. */
  readonly counts: Int32Array;
  /** Running totals since start, for the Prometheus counters. */
  readonly totals: Float64Array;
  missingTotal: number;
  /** Slot of each of the last rows, MISSING_SLOT for a missing value. */
  readonly ring: Uint16Array;
  ringFilled: number;
  ringNext: number;
  missingInWindow: number;
}

/** Slot of values outside the kept categories that training saw. */
export function otherSlot(window: CategoryWindow): number {
  return window.profile.categories.length;
}

/** Slot of values training never saw. */
export function newSlot(window: CategoryWindow): number {
  return window.profile.categories.length + 1;
}

/** Counters of one served model. */
export interface ModelStats {
  requests: number;
  errors: number;
  readonly latenciesMs: Float64Array;
  latencyCount: number;
  readonly features: readonly FeatureWindow[];
  readonly categories: readonly CategoryWindow[];
  correct: number;
  labelled: number;
}

/**
 * Empty counters for a model with `profile`, with a drift window of `window`
 * rows. `trainingCategories` (the model card's categories of each
 * categorical feature) tells a value training saw beyond the profile's
 * kept categories ("other") from one it never saw ("new"); without it, a
 * value outside the kept ones is "new" only when the profile has no "other".
 */
export function createModelStats(
  profile: ReferenceProfile,
  window: number,
  trainingCategories: Readonly<Record<string, readonly string[] | undefined>> = {},
): ModelStats {
  const features = profile.columns
    .filter((c): c is NumericColumnProfile => c.kind === "numeric" && c.bin_edges.length < MISSING - 1)
    .map((profileColumn) => ({
      name: profileColumn.name,
      profile: profileColumn,
      edges: Float64Array.from(profileColumn.bin_edges),
      counts: new Int32Array(profileColumn.bin_edges.length + 1),
      totals: new Float64Array(profileColumn.bin_edges.length + 1),
      missingTotal: 0,
      ring: new Uint8Array(window),
      ringFilled: 0,
      ringNext: 0,
      missingInWindow: 0,
    }));
  const categories = profile.columns
    .filter(
      (c): c is CategoricalColumnProfile =>
        c.kind === "categorical" && c.categories.length + 2 < MISSING_SLOT,
    )
    .map((column): CategoryWindow => {
      const known = trainingCategories[column.name];
      return {
        name: column.name,
        profile: column,
        slots: new Map(column.categories.map((c, i) => [c, i] as const)),
        // Without other values in training, anything outside the kept categories is new.
        seen: column.other_count === 0 ? new Set() : known === undefined ? null : new Set(known),
        counts: new Int32Array(column.categories.length + 2),
        totals: new Float64Array(column.categories.length + 2),
        missingTotal: 0,
        ring: new Uint16Array(window),
        ringFilled: 0,
        ringNext: 0,
        missingInWindow: 0,
      };
    });
  return {
    requests: 0,
    errors: 0,
    latenciesMs: new Float64Array(LATENCY_CAPACITY),
    latencyCount: 0,
    features,
    categories,
    correct: 0,
    labelled: 0,
  };
}

/** Counts the rows of one request into every feature's drift window. */
export function recordInputs(stats: ModelStats, columns: OnnxColumns, nRows: number): void {
  for (const window of stats.categories) {
    const column = columns[window.name];
    if (column === undefined || column instanceof Float32Array) continue;
    recordCategories(window, column, nRows);
  }
  for (const feature of stats.features) {
    const column = columns[feature.name];
    if (!(column instanceof Float32Array)) continue;
    const { ring, counts, totals, edges } = feature;
    // Window state in locals for the loop, written back once: a batch of 1,000 rows × 20 features is 20,000 steps.
    const size = ring.length;
    let filled = feature.ringFilled;
    let next = feature.ringNext;
    let missingInWindow = feature.missingInWindow;
    let missingTotal = feature.missingTotal;
    for (let i = 0; i < nRows; i++) {
      const value = column[i]!;
      const bin = Number.isNaN(value) ? MISSING : lowerBound(edges, value);
      if (filled === size) {
        const old = ring[next]!;
        if (old === MISSING) missingInWindow--;
        else counts[old]!--;
      } else {
        filled++;
      }
      ring[next] = bin;
      next = next + 1 === size ? 0 : next + 1;
      if (bin === MISSING) {
        missingInWindow++;
        missingTotal++;
      } else {
        counts[bin]!++;
        totals[bin]!++;
      }
    }
    feature.ringFilled = filled;
    feature.ringNext = next;
    feature.missingInWindow = missingInWindow;
    feature.missingTotal = missingTotal;
  }
}

function recordCategories(window: CategoryWindow, column: readonly string[], nRows: number): void {
  const { ring, counts, totals, slots, seen } = window;
  const other = otherSlot(window);
  const fresh = newSlot(window);
  for (let i = 0; i < nRows; i++) {
    const value = column[i];
    let slot: number;
    if (value === undefined || value === MISSING_CATEGORY) slot = MISSING_SLOT;
    else slot = slots.get(value) ?? (seen === null || seen.has(value) ? other : fresh);
    if (window.ringFilled === ring.length) {
      const old = ring[window.ringNext]!;
      if (old === MISSING_SLOT) window.missingInWindow--;
      else counts[old]!--;
    } else {
      window.ringFilled++;
    }
    ring[window.ringNext] = slot;
    window.ringNext = (window.ringNext + 1) % ring.length;
    if (slot === MISSING_SLOT) {
      window.missingInWindow++;
      window.missingTotal++;
    } else {
      counts[slot]!++;
      totals[slot]!++;
    }
  }
}

/** Counts one finished request of this model. */
export function recordOutcome(stats: ModelStats, latencyMs: number, failed: boolean): void {
  stats.requests++;
  if (failed) stats.errors++;
  stats.latenciesMs[stats.latencyCount % LATENCY_CAPACITY] = latencyMs;
  stats.latencyCount++;
}

/** The p99 of the latencies kept, null when there are none. */
export function computeLatencyP99(stats: ModelStats): number | null {
  const n = Math.min(stats.latencyCount, LATENCY_CAPACITY);
  if (n === 0) return null;
  return computeNearestRankQuantile(stats.latenciesMs.slice(0, n).sort(), 0.99);
}

/** Chi-squared p-value of each feature's drift window against its reference bins. */
export function computeDriftPValues(stats: ModelStats): { rows: number; pValues: Record<string, number> } {
  const pValues: Record<string, number> = {};
  let rows = 0;
  for (const feature of stats.features) {
    const n = feature.ringFilled - feature.missingInWindow;
    rows = Math.max(rows, feature.ringFilled);
    if (n === 0) continue;
    const drift = computeWindowDrift(feature.profile, Array.from(feature.counts), feature.missingInWindow);
    pValues[feature.name] = drift.chi2.pValue;
  }
  for (const window of stats.categories) {
    rows = Math.max(rows, window.ringFilled);
    if (window.ringFilled === window.missingInWindow) continue;
    pValues[window.name] = computeCategoryWindowDrift(
      window.profile,
      categoryCounts(window, window.counts),
      window.missingInWindow,
    ).chi2.pValue;
  }
  return { rows, pValues };
}

/** The counts of `slots` (a window's or its totals) in the layout monitoring tests. */
export function categoryCounts(window: CategoryWindow, slots: ArrayLike<number>): CategoryWindowCounts {
  const k = window.profile.categories.length;
  return {
    categories: Array.from({ length: k }, (_, i) => slots[i]!),
    other: slots[k]!,
    new: slots[k + 1]!,
  };
}

/** The window a rollout analysis judges. */
export function buildCheckWindow(stats: ModelStats): CheckWindow {
  return {
    requests: stats.requests,
    errors: stats.errors,
    latencyP99Ms: computeLatencyP99(stats),
    drift: computeDriftPValues(stats),
    accuracy: stats.labelled > 0 ? { correct: stats.correct, total: stats.labelled } : null,
  };
}

/** Starts a new analysis window; the drift window and totals slide on. */
export function resetAnalysisWindow(stats: ModelStats): void {
  stats.requests = 0;
  stats.errors = 0;
  stats.latencyCount = 0;
}

/** A model whose feature windows are exported at scrape time. */
export interface ExportedModel {
  readonly model: string;
  readonly version: string;
  readonly stats: ModelStats;
  readonly pValues: () => Readonly<Record<string, number>>;
}
