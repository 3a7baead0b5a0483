/** Loads the SciPy golden files written by test/fixtures/monitoring/generate.py. */
import { readFileSync } from "node:fs";

/** Reads and parses one golden JSON file from test/fixtures/monitoring. */
export function loadGolden<T>(name: string): T {
  const url = new URL(`../fixtures/monitoring/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")) as T;
}

/** |actual − expected| ≤ rel · |expected| (or ≤ abs near zero). */
export function relativeError(actual: number, expected: number): number {
  if (expected === 0) return Math.abs(actual);
  return Math.abs(actual - expected) / Math.abs(expected);
}
