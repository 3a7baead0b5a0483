/** Loads the scikit-learn golden fixtures of test/fixtures/learners. */
import { readFileSync } from "node:fs";
import type { FeatureMatrix } from "../../src/learners/model.js";

/** Reads a JSON fixture by file name. */
export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/learners/${name}`, import.meta.url), "utf8")) as T;
}

/** A feature matrix from fixture columns, optionally keeping only some rows. */
export function toMatrix(columns: number[][], rows?: readonly number[]): FeatureMatrix {
  const cols = columns.map((c) =>
    rows === undefined ? Float64Array.from(c) : Float64Array.from(rows, (r) => c[r]!),
  );
  return { nRows: cols[0]!.length, columns: cols, names: cols.map((_, j) => `x${j}`) };
}

/** Targets, optionally keeping only some rows. */
export function toTargets(values: number[], rows?: readonly number[]): Float64Array {
  return rows === undefined ? Float64Array.from(values) : Float64Array.from(rows, (r) => values[r]!);
}
