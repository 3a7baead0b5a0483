import { describe, expect, it } from "vitest";
import {
  computeEffectiveTestCount,
  computeSpearmanMatrix,
  computeSymmetricEigenvalues,
} from "../../src/monitoring/drift/effective-tests.js";
import { loadGolden } from "./fixtures.js";

interface Golden {
  cases: {
    label: string;
    columns: number[][];
    spearman: number[][];
    eigenvalues: number[];
    effective_tests: number;
  }[];
  symmetric: { matrix: number[][]; eigenvalues: number[] };
}

const golden = loadGolden<Golden>("effective-tests.json");
const cases = golden.cases.map((c) => [c.label, c] as const);

describe("effective number of tests against SciPy / NumPy", () => {
  it.each(cases)("Spearman matrix of %s columns matches scipy.stats.spearmanr", (_, c) => {
    // Arrange
    const columns = c.columns.map((col) => Float64Array.from(col));

    // Act
    const rho = computeSpearmanMatrix(columns);

    // Assert
    const k = columns.length;
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) expect(rho[a * k + b]).toBeCloseTo(c.spearman[a]![b]!, 12);
    }
  });

  it.each(cases)("eigenvalues and Li–Ji M_eff of %s columns match numpy.linalg.eigvalsh", (_, c) => {
    // Arrange
    const k = c.spearman.length;
    const matrix = Float64Array.from(c.spearman.flat());

    // Act
    const eigenvalues = computeSymmetricEigenvalues(matrix, k);
    const mEff = computeEffectiveTestCount(eigenvalues);

    // Assert
    eigenvalues.forEach((e, i) => expect(e).toBeCloseTo(c.eigenvalues[i]!, 10));
    expect(mEff).toBeCloseTo(c.effective_tests, 9);
  });

  it("finds the eigenvalues of a general symmetric matrix (negative ones included)", () => {
    // Arrange
    const { matrix, eigenvalues: expected } = golden.symmetric;

    // Act
    const eigenvalues = computeSymmetricEigenvalues(Float64Array.from(matrix.flat()), matrix.length);

    // Assert
    eigenvalues.forEach((e, i) => expect(e).toBeCloseTo(expected[i]!, 10));
  });

  it.each([
    ["k uncorrelated columns count k times", [1, 1, 1, 1], 4],
    ["k identical columns count once", [4, 0, 0, 0], 1],
    ["fractional parts add up", [2.5, 1.25, 0.25, 0], 3],
  ])("Li–Ji: %s", (_, eigenvalues, expected) => {
    expect(computeEffectiveTestCount(eigenvalues)).toBeCloseTo(expected, 12);
  });

  it("treats a constant column as uncorrelated and rejects a matrix of the wrong size", () => {
    // Arrange
    const x = Float64Array.from({ length: 50 }, (_, i) => i);
    const constant = new Float64Array(50).fill(3);

    // Act
    const rho = computeSpearmanMatrix([x, constant, x]);

    // Assert
    expect(Array.from(rho)).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 1]);
    expect(() => computeSymmetricEigenvalues(new Float64Array(5), 2)).toThrow(/2 × 2/);
  });
});
