import { describe, expect, it } from "vitest";
import { createRandom } from "../../src/common/random.js";
import type { Frame } from "../../src/data/frame.js";
import { calibrateMinP, computeShuffledMinima } from "../../src/monitoring/drift/min-p.js";
import { computeDriftReport } from "../../src/monitoring/drift/report.js";
import { categorical, frameOf, numeric } from "./frames.js";
import { outcomesOf, shuffledBothWays } from "./outcomes.js";

/** n rows of `columns` numeric columns; `copies` > 1 repeats each base column with small noise (strong correlation). */
function window(
  n: number,
  seed: number,
  options: { columns: number; copies?: number; ties?: number; missing?: number },
): Frame {
  const random = createRandom(seed);
  const copies = options.copies ?? 1;
  const cols = [];
  for (let c = 0; c < options.columns; c++) {
    const base = Float64Array.from({ length: n }, () => random.normal());
    for (let k = 0; k < copies; k++) {
      const values = Float64Array.from(base, (v) => {
        const x = v + 0.01 * k * random.normal();
        // Rounding to a grid of `ties` creates ties.
        const tied = options.ties ? Math.round(x / options.ties) * options.ties : x;
        return random.next() < (options.missing ?? 0) ? Number.NaN : tied;
      });
      cols.push(numeric(`c${c}_${k}`, values));
    }
  }
  return frameOf(...cols);
}

describe("min-P permutation calibration", () => {
  it.each([
    ["continuous", { columns: 3 }],
    ["tied", { columns: 3, ties: 0.1 }],
    ["missing values", { columns: 2, missing: 0.1 }],
  ] as const)(
    "the integer KS walk over the pooled order gives the same shuffled minima as recomputing KS (%s)",
    (_, shape) => {
      // Arrange
      const reference = window(60, 1, shape);
      const current = window(45, 2, shape);
      // Act
      const { outcomes, fast, slow } = shuffledBothWays(reference, current, 40, 3);

      // Assert
      expect(outcomes.every((o) => o.method === "ks")).toBe(true);
      for (let b = 0; b < 40; b++) expect(fast[b]).toBeCloseTo(slow[b]!, 12);
    },
  );

  it("recomputes categorical and binary columns with the same tests on each shuffle", () => {
    // Arrange
    const random = createRandom(5);
    const levels = ["a", "b", "c", "d"];
    const make = (n: number) =>
      frameOf(
        categorical(
          "plan",
          Array.from({ length: n }, () => levels[random.int(4)]!),
        ),
        numeric(
          "flag",
          Float64Array.from({ length: n }, () => random.int(2)),
        ),
      );
    const reference = make(80);
    const current = make(70);
    const outcomes = outcomesOf(reference, current);

    // Act
    const minima = computeShuffledMinima(reference, current, outcomes, { permutations: 30, seed: 1 });

    // Assert: each shuffled minimum is a p-value, and shuffles differ.
    expect(outcomes.map((o) => o.method)).toEqual(["chi2", "z"]);
    expect(Array.from(minima).every((p) => p > 0 && p <= 1)).toBe(true);
    expect(new Set(minima).size).toBeGreaterThan(10);
  });

  it("is reproducible with a seed", () => {
    // Arrange
    const reference = window(200, 11, { columns: 4 });
    const current = window(200, 12, { columns: 4 });
    const outcomes = outcomesOf(reference, current);
    const options = { alpha: 0.05, permutations: 199, floor: 0 };

    // Act
    const a = calibrateMinP(reference, current, outcomes, { ...options, seed: 7 });
    const b = calibrateMinP(reference, current, outcomes, { ...options, seed: 7 });

    // Assert
    expect(a).toEqual(b);
  });

  it("raises the threshold far above Bonferroni's when the columns are near-copies of each other", () => {
    // Arrange: 3 independent columns, each repeated 8 times (24 tests, about 3 independent).
    const reference = window(300, 21, { columns: 3, copies: 8 });
    const current = window(300, 22, { columns: 3, copies: 8 });
    const outcomes = outcomesOf(reference, current);

    // Act
    const minima = computeShuffledMinima(reference, current, outcomes, { permutations: 999, seed: 1 });

    // Assert: the 50th smallest of 999 shuffled minima (the threshold at α, with less Monte Carlo
    // noise than 199 shuffles give), vs α/24 (Bonferroni) and α/3 (3 independent tests).
    const tenth = Array.from(minima).sort((x, y) => x - y)[49]!;
    expect(tenth).toBeGreaterThan((3 * 0.05) / 24);
    expect(tenth).toBeLessThan(0.05);
  });

  it("holds the false-alarm rate near α on heavily tied columns where Bonferroni is conservative", async () => {
    // Arrange: windows drawn with replacement from a 40-row pool (the bench's situation).
    const pool = window(40, 31, { columns: 4, ties: 0.5 });
    const random = createRandom(32);
    const draw = (n: number): Frame => {
      const rows = Int32Array.from({ length: n }, () => random.int(40));
      return frameOf(
        ...pool.columns.map((c) =>
          numeric(
            c.name,
            Float64Array.from(rows, (r) => (c.kind === "numeric" ? c.values[r]! : 0)),
          ),
        ),
      );
    };
    let calibrated = 0;
    let bonferroni = 0;
    const trials = 300;

    // Act
    for (let t = 0; t < trials; t++) {
      const report = await computeDriftReport(draw(60), draw(60), { multivariate: false, seed: t });
      if (report.drift) calibrated++;
      if (report.features.some((f) => f.p_value !== null && f.p_value <= 0.05 / 4)) bonferroni++;
    }

    // Assert: with 300 trials a rate of 5 % has a standard error of 1.3 points.
    expect(calibrated / trials).toBeGreaterThan(0.025);
    expect(calibrated / trials).toBeLessThan(0.085);
    expect(bonferroni).toBeLessThan(calibrated);
  });
});

describe("computeDriftReport: how the threshold is set", () => {
  it("uses min-P on small raw windows, Li–Ji over budget, plain Bonferroni against a profile", async () => {
    // Arrange: 2 independent columns, each repeated 4 times.
    const reference = window(400, 41, { columns: 2, copies: 4 });
    const current = window(400, 42, { columns: 2, copies: 4 });
    const { buildReferenceProfile } = await import("../../src/monitoring/profile/profile.js");

    // Act
    const calibrated = await computeDriftReport(reference, current, { multivariate: false });
    const effective = await computeDriftReport(reference, current, {
      multivariate: false,
      permutationBudget: 0,
    });
    const profile = await computeDriftReport(buildReferenceProfile(reference), current);

    // Assert
    expect(calibrated.correction).toMatchObject({ method: "min_p", tests: 8 });
    expect(calibrated.features[0]!.threshold).toBeGreaterThanOrEqual(0.05 / 80);
    // Li–Ji counts an eigenvalue just below 4 as nearly 2 tests: 2 blocks of 4 give 2 to 4, not 8.
    expect(effective.correction).toMatchObject({ method: "bonferroni_effective", tests: 8 });
    const mEff = effective.correction.effective_tests!;
    expect(mEff).toBeGreaterThanOrEqual(2);
    expect(mEff).toBeLessThanOrEqual(4);
    expect(effective.features[0]!.threshold).toBeCloseTo(0.05 / mEff, 3);
    expect(profile.correction).toMatchObject({ method: "bonferroni", tests: 8 });
    expect(profile.features[0]!.threshold).toBeCloseTo(0.05 / 8, 12);
  });

  it("splits α between the univariate tests and the domain classifier", async () => {
    // Arrange
    const reference = window(300, 51, { columns: 3 });
    const current = window(300, 52, { columns: 3 });

    // Act
    const report = await computeDriftReport(reference, current, { permutationBudget: 0 });

    // Assert: 3 uncorrelated columns → M = 3, classifier α/4, univariate 3α/4 over 3 tests.
    expect(report.correction).toMatchObject({ method: "bonferroni_effective", tests: 4, effective_tests: 3 });
    expect(report.multivariate.threshold).toBeCloseTo(0.05 / 4, 12);
    expect(report.features[0]!.threshold).toBeCloseTo(0.05 / 4, 12);
  });
});

describe("computeDriftReport with an ID column", () => {
  it("keeps the ID out of the shuffled family, so a shifted column still rejects (and the ID's new values still show)", async () => {
    // Arrange: unique IDs look maximally different under every shuffle; "amount" really moved.
    const random = createRandom(7);
    const ids = (from: number) => Array.from({ length: 300 }, (_, i) => `C${from + i}`);
    const reference = frameOf(
      categorical("customer_id", ids(0)),
      numeric(
        "amount",
        Array.from({ length: 300 }, () => random.normal()),
      ),
    );
    const current = frameOf(
      categorical("customer_id", ids(10_000)),
      numeric(
        "amount",
        Array.from({ length: 300 }, () => random.normal() + 0.5),
      ),
    );

    // Act
    const report = await computeDriftReport(reference, current, { multivariate: false });

    // Assert
    expect(report.correction).toMatchObject({ method: "min_p" });
    expect(report.features.map((f) => [f.name, f.drift])).toEqual([
      ["customer_id", true],
      ["amount", true],
    ]);
  });
});
