/**
 * How one text cell of a data file is read: missing-value tokens and the
 * number grammar shared by every loader, so a CSV and a Parquet file with
 * the same text give the same frame.
 */

/** The tokens read as a missing value unless the pipeline names others. */
export const DEFAULT_MISSING_TOKENS: readonly string[] = ["", "NA", "NaN", "null", "?"];

/**
 * Decimal numbers with an optional sign, fraction and exponent (`1`, `-2.5`,
 * `.5`, `3.`, `1e-3`, `6.02E+23`). Stricter than `Number()`, which would also
 * read `0x1f`, `Infinity` and the empty string as numbers.
 */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses a trimmed cell as a number, or returns `NaN` when it is not one. */
export function parseNumberCell(text: string): number {
  return NUMBER.test(text) ? Number(text) : Number.NaN;
}
