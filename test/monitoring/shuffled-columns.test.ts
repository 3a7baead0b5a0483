import { describe, expect, it } from "vitest";
import { createRandom } from "../../src/common/random.js";
import type { Frame } from "../../src/data/frame.js";
import { calibrateMinP, computeShuffledMinima } from "../../src/monitoring/drift/min-p.js";
import { computeDriftReport } from "../../src/monitoring/drift/report.js";
import { categorical, frameOf, numeric } from "./frames.js";
import { outcomesOf, shuffledBothWays } from "./outcomes.js";

/**
 * Mixed window: a continuous column with 5 % missing, a heavily tied 0..16
 * integer column (χ² on values), a binary column (z), a categorical column
 * with a rare level and missing values.
 */
function mixedWindow(n: number, seed: number, rareLevel: string): Frame {
  const random = createRandom(seed);
  const levels = ["a", "a", "a", "b", "b", "c"];
  return frameOf(
    numeric(
      "amount",
      Float64Array.from({ length: n }, () => (random.next() < 0.05 ? Number.NaN : random.normal())),
    ),
    numeric(
      "pixel",
      Float64Array.from({ length: n }, () => Math.max(0, Math.min(16, Math.round(8 * random.normal())))),
    ),
    numeric(
      "flag",
      Float64Array.from({ length: n }, () => (random.next() < 0.2 ? 1 : 0)),
    ),
    categorical(
      "plan",
      Array.from({ length: n }, () => {
        const u = random.next();
        return u < 0.03 ? undefined : u < 0.05 ? rareLevel : levels[random.int(levels.length)];
      }),
    ),
  );
}

describe("shuffled columns: the fast walks and counts give the column tests' p-values", () => {
  it.each([
    ["equal windows (every row walked)", 120, 120],
    ["a small current window against a large reference (its rows alone)", 1500, 40],
    ["a small reference against a large current window", 40, 1500],
  ] as const)("on %s", (_, nRef, nCur) => {
    // Arrange: the rare level differs between the windows, so new-category tests occur in shuffles.
    const reference = mixedWindow(nRef, 1, "r1");
    const current = mixedWindow(nCur, 2, "r2");
    // Act
    const { outcomes, fast, slow } = shuffledBothWays(reference, current, 60, 4);

    // Assert
    expect(outcomes.map((o) => o.method)).toEqual(["ks", "chi2", "z", "chi2"]);
    for (let b = 0; b < 60; b++) expect(fast[b]).toBeCloseTo(slow[b]!, 12);
    expect(new Set(fast).size).toBeGreaterThan(20);
  });

  it("walks a KS column with ties and missing values from the small window's rows alone", () => {
    // Arrange: values on a coarse grid (many ties), 10 % missing, 2,000 vs 30 rows.
    const make = (n: number, seed: number) => {
      const random = createRandom(seed);
      return frameOf(
        numeric(
          "x",
          Float64Array.from({ length: n }, () =>
            random.next() < 0.1 ? Number.NaN : Math.round(random.normal() * 10) / 2,
          ),
        ),
      );
    };
    const reference = make(2000, 5);
    const current = make(30, 6);
    // Act
    const { outcomes, fast, slow } = shuffledBothWays(reference, current, 100, 2);

    // Assert
    expect(outcomes[0]!.method).toBe("ks");
    for (let b = 0; b < 100; b++) expect(fast[b]).toBeCloseTo(slow[b]!, 12);
  });
});

describe("min-P: no p-value rejects without the shuffles", () => {
  it("does not reject a rare-cell χ² p-value below a tenth of Bonferroni's α/m when shuffles give such p-values often", () => {
    // Arrange: 40 columns of 0..3 with a rare value 16 on 6 pooled rows each; the current window
    // (100 rows, against 5,000) holds 2 of those 6 rows in the first column. χ² calls that very
    // unlikely, but a shuffle puts 2 of 6 rare rows in the small window of some column about one
    // time in five.
    const random = createRandom(9);
    // Each column's rare rows are different rows, so the columns are independent.
    const column = (n: number, at: number, rare: number) => {
      const values = Float64Array.from({ length: n }, () => random.int(4));
      for (let i = at; i < at + rare; i++) values[i] = 16;
      return values;
    };
    const columns = 40;
    const reference = frameOf(
      ...Array.from({ length: columns }, (_, j) => numeric(`px${j}`, column(5000, 6 * j, j === 0 ? 4 : 6))),
    );
    const current = frameOf(
      ...Array.from({ length: columns }, (_, j) => numeric(`px${j}`, column(100, 0, j === 0 ? 2 : 0))),
    );
    const outcomes = outcomesOf(reference, current);
    const minima = computeShuffledMinima(reference, current, outcomes, { permutations: 199, seed: 1 });

    // Act
    const calibration = calibrateMinP(reference, current, outcomes, {
      alpha: 0.05,
      permutations: 199,
      seed: 1,
    });

    // Assert: the observed p-value is below a tenth of Bonferroni's level (the old shortcut
    // rejected it), but more than 10 shuffles reach it, so it does not reject.
    const p = outcomes[0]!.pValue!;
    expect(outcomes[0]!.method).toBe("chi2");
    expect(p).toBeLessThan(0.05 / (10 * columns));
    expect(Array.from(minima).filter((m) => m <= p).length).toBeGreaterThanOrEqual(10);
    expect(p).toBeGreaterThan(calibration.threshold);
  });
});

describe("localisation: the columns reported as drifted are those whose own tests reject", () => {
  it("flags exactly the columns with a p-value at or below the calibrated threshold, which equals all shuffles' threshold", async () => {
    // Arrange: the mixed window with one shifted column (amount +0.6σ) and one with more missing values.
    const reference = mixedWindow(400, 11, "r");
    const current = mixedWindow(300, 12, "r");
    const amount = current.columns[0]!;
    if (amount.kind !== "numeric") throw new Error("amount is numeric");
    for (let i = 0; i < amount.values.length; i++) amount.values[i] = amount.values[i]! + 0.6;
    const outcomes = outcomesOf(reference, current);

    // Act
    const report = await computeDriftReport(reference, current, { multivariate: false, seed: 3 });
    const minima = computeShuffledMinima(reference, current, outcomes, { permutations: 199, seed: 3 });

    // Assert
    expect(report.drift).toBe(true);
    const full = Array.from(minima).sort((x, y) => x - y)[9]!;
    for (const f of report.features) {
      const own = [f.p_value, ...f.tests.map((t) => t.p_value)].filter((p): p is number => p !== null);
      expect(f.drift).toBe(own.some((p) => p < full));
      expect(f.drift).toBe(own.some((p) => p <= f.threshold));
      for (const t of f.tests) expect(t.drift).toBe(t.p_value < full);
    }
    expect(report.features.filter((f) => f.drift).map((f) => f.name)).toEqual(["amount"]);
  });

  it("takes the same decisions when the shuffles stop early as after all of them, on undrifted windows", async () => {
    // Arrange
    const decisions: boolean[] = [];
    const full: boolean[] = [];

    // Act
    for (let t = 0; t < 20; t++) {
      const reference = mixedWindow(200, 100 + t, "r");
      const current = mixedWindow(150, 200 + t, "r");
      const report = await computeDriftReport(reference, current, { multivariate: false, seed: t });
      const minima = computeShuffledMinima(reference, current, outcomesOf(reference, current), {
        permutations: 199,
        seed: t,
      });
      const threshold = Array.from(minima).sort((x, y) => x - y)[9]!;
      decisions.push(...report.features.map((f) => f.drift));
      full.push(
        ...report.features.map((f) =>
          [f.p_value, ...f.tests.map((x) => x.p_value)].some((p) => p !== null && p < threshold),
        ),
      );
    }

    // Assert
    expect(decisions).toEqual(full);
  });
});
