/**
 * The grid: every combination of every parameter's values (the full
 * Cartesian product), in a stable order — parameters sorted by name, the
 * last one varying fastest, like scikit-learn's `ParameterGrid`. Point `i`
 * is computed directly from `i`, so shards need not enumerate the rest.
 */
import { TuningError } from "./errors.js";
import { tidyNumber } from "./sample.js";
import type { Distribution, ParamValue, Params, SearchSpace } from "./space.js";

/** The values a parameter takes on a grid; throws for a continuous float range. */
export function listGridValues(name: string, distribution: Distribution): readonly ParamValue[] {
  switch (distribution.type) {
    case "categorical":
      return distribution.choices;
    case "int": {
      const values: number[] = [];
      for (let v = distribution.low; v <= distribution.high; v += distribution.step) values.push(v);
      return values;
    }
    case "float": {
      const { low, high, step } = distribution;
      if (step === undefined) {
        throw new TuningError(
          `${name}: a float range without a step has no grid; give a list of values or a step`,
          name,
        );
      }
      const count = Math.floor((high - low) / step + 1e-9) + 1;
      return Array.from({ length: count }, (_, k) => tidyNumber(low + k * step));
    }
  }
}

/** A grid ready to index: per parameter, its values. */
export interface Grid {
  readonly names: readonly string[];
  readonly values: readonly (readonly ParamValue[])[];
  /** Number of points. */
  readonly size: number;
}

/** Enumerates the grid of a space. Throws when it is empty or too large to index exactly. */
export function buildGrid(space: SearchSpace): Grid {
  const names = space.params.map((p) => p.name);
  const values = space.params.map((p) => listGridValues(p.name, p.distribution));
  let size = 1;
  values.forEach((v, j) => {
    if (v.length === 0)
      throw new TuningError(`${names[j]}: the grid has no values for this parameter`, names[j]);
    size *= v.length;
  });
  if (!Number.isSafeInteger(size))
    throw new TuningError(`the grid has ${size} points, too many to enumerate`);
  return { names, values, size };
}

/** The parameters at grid point `index` (0-based). */
export function gridPoint(grid: Grid, index: number): Params {
  const params: Record<string, ParamValue> = {};
  let rest = index;
  for (let j = grid.names.length - 1; j >= 0; j--) {
    const values = grid.values[j]!;
    params[grid.names[j]!] = values[rest % values.length]!;
    rest = Math.floor(rest / values.length);
  }
  // Rebuild in name order so serialised trials list parameters the same way everywhere.
  return Object.fromEntries(grid.names.map((name) => [name, params[name]!]));
}
