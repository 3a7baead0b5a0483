import { describe, expect, it } from "vitest";
import { TuningError } from "../../src/tuning/errors.js";
import { buildGrid, gridPoint } from "../../src/tuning/grid.js";
import { buildSearchSpace, computeSpaceHash, type SearchSpaceSpec } from "../../src/tuning/space.js";

describe("buildSearchSpace", () => {
  it("keeps null (no limit) as a value of its own and sorts parameters by name", () => {
    const space = buildSearchSpace({ n_estimators: [50, 100], max_depth: [3, null] });
    expect(space.params.map((p) => p.name)).toEqual(["max_depth", "n_estimators"]);
    expect(space.params[0]!.distribution).toEqual({ type: "categorical", choices: [3, null] });
  });

  it.each<{ what: string; spec: SearchSpaceSpec; message: RegExp; field: string }>([
    { what: "an empty grid", spec: {}, message: /param_grid is empty/, field: "param_grid" },
    {
      what: "an empty list",
      spec: { max_depth: [] },
      message: /param_grid.max_depth is an empty list/,
      field: "param_grid.max_depth",
    },
    {
      what: "low > high",
      spec: { learning_rate: { type: "float", low: 0.3, high: 0.01 } },
      message: /param_grid.learning_rate: low \(0.3\) is greater than high \(0.01\)/,
      field: "param_grid.learning_rate",
    },
    {
      what: "a log scale from 0",
      spec: { C: { type: "float", low: 0, high: 10, log: true } },
      message: /log scale needs low > 0, got low=0/,
      field: "param_grid.C",
    },
    {
      what: "a fractional int bound",
      spec: { max_depth: { type: "int", low: 1.5, high: 4 } },
      message: /integer bounds, got low=1.5 high=4/,
      field: "param_grid.max_depth",
    },
    {
      what: "a negative step",
      spec: { n_estimators: { type: "int", low: 10, high: 100, step: -10 } },
      message: /step must be a number > 0, got -10/,
      field: "param_grid.n_estimators",
    },
    {
      what: "an unknown type",
      spec: { x: { type: "uniform", low: 0, high: 1 } as never },
      message: /param_grid.x.type is "uniform"; expected int, float or categorical/,
      field: "param_grid.x.type",
    },
    {
      what: "an object value in a list",
      spec: { x: [1, { a: 1 } as never] },
      message: /param_grid.x\[1\] is \{"a":1\}/,
      field: "param_grid.x",
    },
  ])("rejects $what", ({ spec, message, field }) => {
    const error = (() => {
      try {
        buildSearchSpace(spec);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(TuningError);
    expect((error as TuningError).message).toMatch(message);
    expect((error as TuningError).field).toBe(field);
  });

  it("hashes equal spaces equally whatever the key order, and different spaces differently", () => {
    const a = computeSpaceHash(buildSearchSpace({ a: [1, 2], b: { type: "int", low: 1, high: 5 } }));
    const b = computeSpaceHash(buildSearchSpace({ b: { type: "int", low: 1, high: 5 }, a: [1, 2] }));
    const c = computeSpaceHash(buildSearchSpace({ a: [1, 2], b: { type: "int", low: 1, high: 6 } }));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).toMatch(/^sha256:[0-9a-f]{16}$/);
  });
});

describe("the grid", () => {
  it("enumerates the full Cartesian product with the last parameter varying fastest", () => {
    const grid = buildGrid(
      buildSearchSpace({ max_depth: [3, null], criterion: ["gini", "entropy"], n: [1, 2, 3] }),
    );
    const points = Array.from({ length: grid.size }, (_, i) => gridPoint(grid, i));
    expect(grid.size).toBe(12);
    expect(points.slice(0, 4)).toEqual([
      { criterion: "gini", max_depth: 3, n: 1 },
      { criterion: "gini", max_depth: 3, n: 2 },
      { criterion: "gini", max_depth: 3, n: 3 },
      { criterion: "gini", max_depth: null, n: 1 },
    ]);
    expect(points[11]).toEqual({ criterion: "entropy", max_depth: null, n: 3 });
    expect(new Set(points.map((p) => JSON.stringify(p))).size).toBe(12);
  });

  it.each([
    [{ type: "int", low: 10, high: 30, step: 10 } as const, [10, 20, 30]],
    [{ type: "float", low: 0.1, high: 0.5, step: 0.2 } as const, [0.1, 0.3, 0.5]],
    [
      { type: "float", low: 0, high: 1, step: 0.1 } as const,
      [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
    ],
  ])("lists the values of %o", (spec, values) => {
    const grid = buildGrid(buildSearchSpace({ x: spec }));
    expect(grid.values[0]).toEqual(values);
  });

  it("refuses a continuous float range", () => {
    expect(() => buildGrid(buildSearchSpace({ lr: { type: "float", low: 0, high: 1 } }))).toThrow(
      /lr: a float range without a step has no grid/,
    );
  });
});
