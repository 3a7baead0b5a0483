import { describe, expect, it } from "vitest";
import { createRandom } from "../../src/common/random.js";
import { DataError } from "../../src/common/errors.js";
import { computeRejectionThreshold } from "../../src/common/statistics/multiple-testing.js";
import { decideSeverity } from "../../src/monitoring/drift/severity.js";
import { computePredictionDrift } from "../../src/monitoring/drift/prediction-drift.js";
import { buildReferenceProfile } from "../../src/monitoring/profile/profile.js";
import { computeDriftReport } from "../../src/monitoring/drift/report.js";
import { computeKsTest } from "../../src/monitoring/drift/ks.js";
import { categorical, frameOf, numeric } from "./frames.js";

function normals(n: number, seed: number, shift = 0): Float64Array {
  const random = createRandom(seed);
  return Float64Array.from({ length: n }, () => random.normal() + shift);
}

const univariate = { multivariate: false } as const;

describe("computeDriftReport: decisions", () => {
  it("reports KS with SciPy's D and p-value and no drift on identical distributions", async () => {
    const ref = frameOf(numeric("x y/z", normals(400, 1)));
    const cur = frameOf(numeric("x y/z", normals(300, 2)));
    const report = await computeDriftReport(ref, cur, univariate);
    const feature = report.features[0]!;
    const ks = computeKsTest(normals(400, 1), normals(300, 2));
    expect(feature).toMatchObject({
      name: "x y/z",
      type: "numeric",
      method: "ks",
      drift: false,
      severity: "none",
    });
    expect([feature.statistic, feature.p_value]).toEqual([ks.statistic, ks.pValue]);
    expect(report).toMatchObject({ drift: false, drift_share: 0, n_reference: 400, n_current: 300 });
  });

  it("finds a mean shift in one column of many and applies Bonferroni across all tests (shuffles off)", async () => {
    const columns = (seed: number, shift: number) =>
      Array.from({ length: 8 }, (_, j) =>
        numeric(`f${j}`, normals(1000, seed * 100 + j, j === 3 ? shift : 0)),
      );
    const report = await computeDriftReport(
      frameOf(...columns(1, 0)),
      frameOf(...columns(2, 0.5)),
      // Li–Ji over 8 uncorrelated columns is 8: the sum of the eigenvalues when all are below 2.
      { ...univariate, permutations: 0 },
    );
    expect(report.features.map((f) => f.drift)).toEqual([
      false,
      false,
      false,
      true,
      false,
      false,
      false,
      false,
    ]);
    expect(report.features[3]!.threshold).toBeCloseTo(0.05 / 8, 12);
    expect(report.correction).toMatchObject({ method: "bonferroni_effective", tests: 8 });
    expect(report.features[3]!.severity).not.toBe("none");
    expect(report).toMatchObject({ drift: true, drift_share: 1 / 8 });
  });

  it("uses chi2 for categorical, z for binary, and flags unseen categories and a missingness shift", async () => {
    const refCity = Array.from({ length: 600 }, (_, i) => ["a", "b", "c"][i % 3]);
    const curCity = Array.from({ length: 600 }, (_, i) => (i % 10 === 0 ? "new" : ["a", "b", "c"][i % 3]));
    const refFlag = Array.from({ length: 600 }, (_, i) => (i % 2 === 0 ? "yes" : "no"));
    const curFlag = Array.from({ length: 600 }, (_, i) => (i % 2 === 0 ? "yes" : "no"));
    const refX = normals(600, 5);
    const curX = normals(600, 6).map((v, i) => (i % 5 === 0 ? Number.NaN : v));
    const report = await computeDriftReport(
      frameOf(categorical("city", refCity), categorical("flag", refFlag), numeric("x", refX)),
      frameOf(categorical("city", curCity), categorical("flag", curFlag), numeric("x", curX)),
      univariate,
    );
    const [city, flag, x] = report.features;
    expect(city).toMatchObject({ method: "chi2", drift: true });
    expect(city!.tests.find((t) => t.name === "new_category")).toMatchObject({
      drift: true,
      categories: ["new"],
      new_rows: 60,
    });
    expect(flag).toMatchObject({ method: "z", drift: false, statistic: 0, p_value: 1 });
    expect(x).toMatchObject({ method: "ks", drift: true });
    expect(x!.tests.find((t) => t.name === "null_rate")).toMatchObject({
      drift: true,
      reference_rate: 0,
      current_rate: 0.2,
    });
  });

  it.each(["psi", "js", "wasserstein"] as const)(
    "compares the %s distance with its threshold",
    async (method) => {
      const report = await computeDriftReport(
        frameOf(numeric("x", normals(2000, 1))),
        frameOf(numeric("x", normals(2000, 2, 1))),
        { ...univariate, method },
      );
      expect(report.features[0]).toMatchObject({ method, p_value: null, drift: true });
      expect(report.features[0]!.statistic!).toBeGreaterThan(report.features[0]!.threshold);
    },
  );

  it("tests against a stored profile with binned chi-squared", async () => {
    const profile = buildReferenceProfile(
      frameOf(
        numeric("x", normals(5000, 1)),
        categorical(
          "c",
          ["u", "v"].flatMap((v) => Array<string>(2500).fill(v)),
        ),
      ),
    );
    const same = await computeDriftReport(
      profile,
      frameOf(
        numeric("x", normals(500, 3)),
        categorical(
          "c",
          Array.from({ length: 500 }, (_, i) => (i % 2 ? "u" : "v")),
        ),
      ),
    );
    const shifted = await computeDriftReport(
      profile,
      frameOf(
        numeric("x", normals(500, 3, 0.5)),
        categorical(
          "c",
          Array.from({ length: 500 }, (_, i) => (i % 2 ? "u" : "v")),
        ),
      ),
    );
    expect(same.features[0]).toMatchObject({ method: "chi2", drift: false });
    expect(shifted.features[0]).toMatchObject({ method: "chi2", drift: true });
    expect(same.multivariate.skipped).toMatch(/stored profile/);
    expect(same.n_reference).toBe(5000);
  });

  it("catches a correlation flip only through the domain classifier, reproducibly", async () => {
    const build = (seed: number, sign: number) => {
      const a = normals(600, seed);
      const noise = normals(600, seed + 50);
      return frameOf(
        numeric("a", a),
        numeric(
          "b",
          a.map((v, i) => sign * v + 0.3 * noise[i]!),
        ),
      );
    };
    const ref = build(1, 1);
    const cur = build(2, -1);
    const first = await computeDriftReport(ref, cur, { seed: 3, multivariateMaxRows: 600 });
    const second = await computeDriftReport(ref, cur, { seed: 3, multivariateMaxRows: 600 });
    expect(first.features.every((f) => !f.drift)).toBe(true);
    expect(first.multivariate.drift).toBe(true);
    expect(first.multivariate.auc!).toBeGreaterThan(0.8);
    expect(first.drift).toBe(true);
    expect(second.multivariate.auc).toBe(first.multivariate.auc);
  });
});

describe("computeDriftReport: bad input", () => {
  it("names the columns that differ", async () => {
    const ref = frameOf(numeric("a", [1, 2]), numeric("b", [1, 2]));
    const cur = frameOf(numeric("a", [1, 2]), numeric("c", [1, 2]));
    await expect(computeDriftReport(ref, cur, univariate)).rejects.toThrow(
      'different columns (missing from the current data: "b"; not in the reference: "c")',
    );
  });

  it("refuses an empty window", async () => {
    const ref = frameOf(numeric("a", [1, 2]));
    await expect(computeDriftReport(ref, frameOf(numeric("a", [])), univariate)).rejects.toThrow(DataError);
    await expect(computeDriftReport(ref, frameOf(numeric("a", [])), univariate)).rejects.toThrow(
      /current window is empty/,
    );
  });

  it("reports insufficient data, not NaN, when all values are missing", async () => {
    const report = await computeDriftReport(
      frameOf(numeric("a", [1, 2, 3, 4])),
      frameOf(numeric("a", [Number.NaN, Number.NaN, Number.NaN, Number.NaN])),
      univariate,
    );
    const a = report.features[0]!;
    expect(a.statistic).toBeNull();
    expect(a.insufficient_data).toMatch(/all current values are missing/);
    // The missingness itself is the drift.
    expect(a.tests[0]).toMatchObject({ name: "null_rate", drift: true });
    expect(JSON.stringify(report)).not.toMatch(/NaN|null,"p_value":NaN/);
  });

  it.each([
    ["a constant column that stays constant", [5, 5, 5, 5, 5, 5], [5, 5, 5], false],
    ["a constant column that moves", Array<number>(40).fill(5), Array<number>(40).fill(6), true],
    ["a single row each", [1], [2], false],
  ])("handles %s without NaN", async (_label, ref, cur, drift) => {
    const report = await computeDriftReport(
      frameOf(numeric("a", ref)),
      frameOf(numeric("a", cur)),
      univariate,
    );
    expect(report.features[0]!.drift).toBe(drift);
    expect(Number.isFinite(report.features[0]!.statistic)).toBe(true);
    expect(Number.isFinite(report.features[0]!.p_value)).toBe(true);
  });

  it("skips the domain classifier on a single row", async () => {
    const report = await computeDriftReport(frameOf(numeric("a", [1])), frameOf(numeric("a", [2])));
    expect(report.multivariate).toMatchObject({ drift: false, auc: null });
    expect(report.multivariate.skipped).toMatch(/insufficient data/);
  });

  it("rejects an alpha outside (0, 1)", async () => {
    await expect(
      computeDriftReport(frameOf(numeric("a", [1])), frameOf(numeric("a", [2])), { alpha: 2 }),
    ).rejects.toThrow(/alpha must be between 0 and 1, got 2/);
  });
});

describe("multiple-testing thresholds", () => {
  it.each([
    // Bonferroni: α/m whatever the p-values.
    [[0.001, 0.02, 0.5, 0.9], "bonferroni", 0.0125],
    // BH: p(2) = 0.02 ≤ 2·0.05/4 = 0.025 is the largest qualifying one.
    [[0.001, 0.02, 0.5, 0.9], "bh", 0.02],
    // BH with nothing qualifying falls back to α/m.
    [[0.3, 0.4], "bh", 0.025],
  ] as const)("%j with %s → %f", (ps, correction, expected) => {
    expect(computeRejectionThreshold(ps, 0.05, correction)).toBeCloseTo(expected, 15);
  });

  it.each([
    [false, 1, "none"],
    [true, 0.05, "low"],
    [true, 0.2, "medium"],
    [true, 0.3, "high"],
  ] as const)("severity(drift=%s, psi=%f) = %s", (drift, psi, severity) => {
    expect(decideSeverity(drift, psi)).toBe(severity);
  });
});

describe("computePredictionDrift", () => {
  it("tests the scores and the predicted labels like data columns", async () => {
    // Arrange: two-class probabilities; the current window leans to class 1.
    const window = (seed: number, shift: number) => {
      const p = normals(800, seed, shift).map((z) => 1 / (1 + Math.exp(-z)));
      const scores = new Float64Array(1600);
      p.forEach((v, i) => {
        scores[2 * i] = 1 - v;
        scores[2 * i + 1] = v;
      });
      return {
        scores,
        nOutputs: 2,
        labels: Int32Array.from(p, (v) => (v > 0.5 ? 1 : 0)),
        classes: ["no", "yes"],
      };
    };
    // Act
    const same = await computePredictionDrift(window(1, 0), window(2, 0));
    const shifted = await computePredictionDrift(window(1, 0), window(3, 0.6));
    // Assert
    expect(same.features.map((f) => [f.name, f.method, f.drift])).toEqual([
      ["score[0]", "ks", false],
      ["score[1]", "ks", false],
      ["label", "z", false],
    ]);
    expect(shifted.features.map((f) => f.drift)).toEqual([true, true, true]);
  });
});
