import { describe, expect, it } from "vitest";
import { minimizeLbfgs, type ObjectiveWithGradient } from "../../src/learners/lbfgs.js";

/** The n-dimensional Rosenbrock function; its minimum is 0 at (1, …, 1). */
const rosenbrock: ObjectiveWithGradient = (x, g) => {
  let f = 0;
  g.fill(0);
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    f += 100 * a * a + b * b;
    g[i]! += -400 * x[i]! * a - 2 * b;
    g[i + 1]! += 200 * a;
  }
  return f;
};

/** A badly scaled convex quadratic ½ Σ d_i (x_i − i)²; its minimum is at x_i = i. */
const quadratic: ObjectiveWithGradient = (x, g) => {
  let f = 0;
  for (let i = 0; i < x.length; i++) {
    const d = 10 ** (i % 6);
    f += 0.5 * d * (x[i]! - i) ** 2;
    g[i] = d * (x[i]! - i);
  }
  return f;
};

describe("minimizeLbfgs", () => {
  it.each([2, 5, 10])("finds the Rosenbrock minimum in %i dimensions", (n) => {
    const start = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
    const result = minimizeLbfgs(rosenbrock, start, { maxIterations: 500, gradientTolerance: 1e-9 });
    expect(result.converged).toBe(true);
    for (const v of result.x) expect(v).toBeCloseTo(1, 6);
    expect(result.value).toBeLessThan(1e-12);
  });

  it("solves an ill-conditioned quadratic to the gradient tolerance", () => {
    const result = minimizeLbfgs(quadratic, new Float64Array(24), {
      maxIterations: 1000,
      gradientTolerance: 1e-8,
      functionTolerance: 0,
    });
    expect(result.reason).toBe("gradient");
    result.x.forEach((v, i) => expect(v).toBeCloseTo(i, 8));
  });

  it("stops at maxIterations and says so", () => {
    const result = minimizeLbfgs(rosenbrock, Float64Array.of(-1.2, 1), {
      maxIterations: 3,
      gradientTolerance: 1e-12,
    });
    expect(result.iterations).toBe(3);
    expect(result.converged).toBe(false);
    expect(result.reason).toBe("max_iterations");
  });

  it("refuses a start where the objective is not finite", () => {
    const f: ObjectiveWithGradient = (x) => Math.log(x[0]!);
    expect(() =>
      minimizeLbfgs(f, Float64Array.of(-1), { maxIterations: 5, gradientTolerance: 1e-6 }),
    ).toThrow(/not finite at the start \(NaN\)/);
  });
});
