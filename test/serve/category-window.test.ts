/**
 * The server's categorical drift windows against SciPy goldens
 * (test/fixtures/serve/generate-categories.py): per-category, "other",
 * "new" and missing counts in the sliding window, the chi-squared p-value
 * the rollout analysis judges, and counters that two replicas export and
 * Prometheus sums giving the same p-value as one window of all rows.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Checks } from "../../src/config/environment.js";
import { analyseChecks } from "../../src/deploy/checks.js";
import type { CategoricalColumnProfile, ReferenceProfile } from "../../src/monitoring/profile/profile.js";
import { computeCategoryWindowDrift } from "../../src/monitoring/drift/windowed.js";
import { createServerMetrics } from "../../src/serve/metrics.js";
import {
  buildCheckWindow,
  computeDriftPValues,
  createModelStats,
  newSlot,
  otherSlot,
  recordInputs,
  recordOutcome,
  type ModelStats,
} from "../../src/serve/model-stats.js";

interface CategoryCase {
  name: string;
  profile: Omit<CategoricalColumnProfile, "kind" | "name">;
  training_categories: string[] | null;
  window: number;
  stream: (string | null)[];
  expected_counts: number[];
  expected_other: number;
  expected_new: number;
  expected_missing: number;
  expected_p_value: number;
}
const golden = JSON.parse(
  readFileSync(new URL("../fixtures/serve/category-window.json", import.meta.url), "utf8"),
) as { cases: CategoryCase[] };
const byName = (name: string): CategoryCase => golden.cases.find((c) => c.name === name)!;

function columnOf(c: CategoryCase): CategoricalColumnProfile {
  return { kind: "categorical", name: "plan", ...c.profile };
}

function statsFor(c: CategoryCase, window = c.window): ModelStats {
  const profile: ReferenceProfile = { version: 1, n_rows: c.profile.count, columns: [columnOf(c)] };
  return createModelStats(
    profile,
    window,
    c.training_categories === null ? {} : { plan: c.training_categories },
  );
}

/** Feeds `values` in requests of `chunk` rows, as the request parser hands them over (null → ""). */
function feed(stats: ModelStats, values: readonly (string | null)[], chunk = 7): void {
  for (let start = 0; start < values.length; start += chunk) {
    const rows = values.slice(start, start + chunk).map((v) => v ?? "");
    recordInputs(stats, { plan: rows }, rows.length);
  }
}

describe("categorical drift window", () => {
  it.each(golden.cases.map((c) => [c.name, c] as const))("%s: counts and p-value match SciPy", (_name, c) => {
    // Arrange
    const stats = statsFor(c);

    // Act: the ring wraps across requests.
    feed(stats, c.stream);
    const { pValues, rows } = computeDriftPValues(stats);

    // Assert
    const window = stats.categories[0]!;
    const k = c.profile.categories.length;
    expect(Array.from(window.counts.subarray(0, k))).toEqual(c.expected_counts);
    expect(window.counts[otherSlot(window)]).toBe(c.expected_other);
    expect(window.counts[newSlot(window)]).toBe(c.expected_new);
    expect(window.missingInWindow).toBe(c.expected_missing);
    expect(rows).toBe(Math.min(c.window, c.stream.length));
    expect(pValues.plan).toBeCloseTo(c.expected_p_value, 10);
  });

  it("counts a value outside the kept categories as other when training saw it and as new otherwise", () => {
    // Arrange: "e" is in the card's list but not kept; "q" was never seen.
    const c = byName("other and new");
    const stats = statsFor(c);

    // Act
    recordInputs(stats, { plan: ["e", "q", "q", "a", ""] }, 5);

    // Assert
    const window = stats.categories[0]!;
    expect(window.counts[otherSlot(window)]).toBe(1);
    expect(window.counts[newSlot(window)]).toBe(2);
    expect(window.counts[window.slots.get("a")!]).toBe(1);
    expect(window.missingInWindow).toBe(1);
  });

  it("feeds the categorical p-value to the rollout analysis, which fails on new categories", () => {
    // Arrange
    const c = byName("new categories");
    const stats = statsFor(c);
    feed(stats, c.stream);
    for (let i = 0; i < 30; i++) recordOutcome(stats, 1, false);
    const checks = Checks.parse({ min_requests: 10, drift: { alpha: 0.01, window: 250, min_samples: 100 } });

    // Act
    const analysis = analyseChecks(checks, buildCheckWindow(stats));

    // Assert
    expect(analysis.status).toBe("fail");
    expect(analysis.results).toContainEqual(
      expect.objectContaining({ check: "drift", feature: "plan", passed: false }),
    );
    expect(analysis.results.find((r) => r.check === "drift")!.value).toBeCloseTo(c.expected_p_value, 10);
  });

  it("passes the rollout analysis on the same mix", () => {
    // Arrange
    const c = byName("same mix");
    const stats = statsFor(c);
    feed(stats, c.stream);
    for (let i = 0; i < 30; i++) recordOutcome(stats, 1, false);
    const checks = Checks.parse({ min_requests: 10, drift: { alpha: 0.01, window: 300, min_samples: 100 } });

    // Act
    const analysis = analyseChecks(checks, buildCheckWindow(stats));

    // Assert
    expect(analysis.status).toBe("pass");
  });
});

/** Sums each `meta_controller_feature_category_total` and missing series over the scraped texts. */
function sumScrapes(texts: readonly string[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const text of texts) {
    for (const line of text.split("\n")) {
      const match =
        /^(meta_controller_feature_(?:category|missing)_total)\{([^}]*)\} (\S+)$/.exec(line) ?? undefined;
      if (match === undefined) continue;
      const labels = match[2]!.replace(/(?:model|version)="[^"]*",?/g, "");
      const key = `${match[1]}{${labels}}`;
      sums.set(key, (sums.get(key) ?? 0) + Number(match[3]));
    }
  }
  return sums;
}

describe("category counters across replicas", () => {
  it.each(["shifted mix", "other and new", "new categories"])(
    "%s: two replicas' summed counters give the p-value of one window of all rows",
    async (name) => {
      // Arrange: windows as long as the stream, so the totals are the window.
      const c = byName(name);
      const all = statsFor(c, c.stream.length);
      const replicas = [statsFor(c, c.stream.length), statsFor(c, c.stream.length)];
      feed(all, c.stream);
      // Requests of 5 rows go to the replicas in turn.
      for (let start = 0, r = 0; start < c.stream.length; start += 5, r = 1 - r)
        feed(replicas[r]!, c.stream.slice(start, start + 5));
      const scrapes = await Promise.all(
        replicas.map((stats, i) =>
          createServerMetrics(() => [
            { model: "churn", version: `v${i}`, stats, pValues: () => computeDriftPValues(stats).pValues },
          ]).registry.metrics(),
        ),
      );

      // Act
      const sums = sumScrapes(scrapes);
      const at = (bucket: string, category = ""): number =>
        sums.get(
          `meta_controller_feature_category_total{feature="plan",bucket="${bucket}",category="${category}"}`,
        ) ?? Number.NaN;
      const summed = computeCategoryWindowDrift(
        columnOf(c),
        {
          categories: c.profile.categories.map((category) => at("category", category)),
          other: at("other"),
          new: at("new"),
        },
        sums.get(`meta_controller_feature_missing_total{feature="plan"}`) ?? Number.NaN,
      );

      // Assert
      const pooled = computeDriftPValues(all).pValues.plan!;
      expect(summed.chi2.pValue).toBeCloseTo(pooled, 12);
      expect(at("new")).toBe(all.categories[0]!.totals[newSlot(all.categories[0]!)]);
      if (c.window >= c.stream.length) expect(summed.chi2.pValue).toBeCloseTo(c.expected_p_value, 10);
    },
  );
});

describe("computeCategoryWindowDrift", () => {
  it("refuses counts that do not match the profile's categories, naming the feature", () => {
    // Arrange
    const column = columnOf(byName("same mix"));

    // Act
    const run = () => computeCategoryWindowDrift(column, { categories: [1, 2], other: 0, new: 0 });

    // Assert
    expect(run).toThrow(/feature "plan": expected 4 category counts/);
  });

  it("reports an empty window as insufficient with p = 1", () => {
    // Arrange
    const column = columnOf(byName("same mix"));

    // Act
    const drift = computeCategoryWindowDrift(column, { categories: [0, 0, 0, 0], other: 0, new: 0 }, 5);

    // Assert
    expect(drift.insufficient).toMatch(/insufficient data/);
    expect(drift.chi2.pValue).toBe(1);
    expect(drift.nullRate).not.toBeNull();
  });
});
