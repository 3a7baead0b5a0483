import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildCategoricalParzen, computeDefaultWeights, erfc } from "../../src/tuning/parzen.js";
import {
  buildSearchSpace,
  type DistributionSpec,
  type FloatDistribution,
  type IntDistribution,
} from "../../src/tuning/space.js";
import { buildNumericEstimator, computeGamma } from "../../src/tuning/tpe.js";

interface NumericCase {
  name: string;
  distribution: DistributionSpec;
  observations: number[];
  mus: number[];
  sigmas: number[];
  weights: number[];
  points: number[];
  log_pdf: number[];
}

interface CategoricalCase {
  name: string;
  n_choices: number;
  observations: (number | boolean)[];
  log_pdf: number[];
}

const golden = JSON.parse(
  readFileSync(new URL("../fixtures/tuning/parzen-golden.json", import.meta.url), "utf8"),
) as {
  gamma: Record<string, number>;
  weights: Record<string, number[]>;
  numeric: NumericCase[];
  categorical: CategoricalCase[];
};

function numericDistribution(spec: DistributionSpec): IntDistribution | FloatDistribution {
  const distribution = buildSearchSpace({ x: spec }).params[0]!.distribution;
  if (distribution.type === "categorical") throw new Error("expected a numeric distribution");
  return distribution;
}

describe("TPE schedule against Optuna", () => {
  it.each(Object.entries(golden.gamma))("gamma(%s) = %i", (n, expected) => {
    expect(computeGamma(Number(n))).toBe(expected);
  });

  it.each(Object.entries(golden.weights))("default weights for %s observations", (n, expected) => {
    const weights = Array.from(computeDefaultWeights(Number(n)));
    expect(weights.length).toBe(expected.length);
    weights.forEach((w, i) => expect(w).toBeCloseTo(expected[i]!, 12));
  });
});

describe("numeric Parzen estimator against Optuna", () => {
  it.each(golden.numeric)("$name", (c) => {
    // Arrange
    const distribution = numericDistribution(c.distribution);

    // Act
    const { parzen, logDensity } = buildNumericEstimator(distribution, c.observations);

    // Assert
    expect(Array.from(parzen.mus)).toHaveLength(c.mus.length);
    c.mus.forEach((mu, i) => expect(parzen.mus[i]).toBeCloseTo(mu, 10));
    c.sigmas.forEach((sigma, i) => expect(parzen.sigmas[i]).toBeCloseTo(sigma, 10));
    c.weights.forEach((w, i) => expect(parzen.weights[i]).toBeCloseTo(w, 12));
    c.points.forEach((x, i) => expect(Math.abs(logDensity(x) - c.log_pdf[i]!)).toBeLessThan(1e-5));
  });
});

describe("categorical Parzen estimator against Optuna", () => {
  it.each(golden.categorical)("$name", (c) => {
    const observations = Int32Array.from(c.observations.map(Number));
    const { probabilities } = buildCategoricalParzen(observations, c.n_choices);
    c.log_pdf.forEach((expected, i) => expect(Math.log(probabilities[i]!)).toBeCloseTo(expected, 10));
  });
});

describe("erfc", () => {
  // Reference values: scipy.special.erfc.
  it.each([
    [0, 1],
    [0.5, 0.4795001221869535],
    [-1.2, 1.9103139782296354],
    [3, 2.209049699858544e-5],
    [6, 2.1519736712498913e-17],
  ])("erfc(%f) to 1.2e-7 relative", (x, expected) => {
    expect(Math.abs(erfc(x) - expected) / expected).toBeLessThan(1.2e-7);
  });
});
