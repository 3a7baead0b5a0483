/**
 * How one text cell of a data file is read: missing-value tokens and the
 * number grammar shared by every loader, so a CSV and a Parquet file with
 * the same text give the same frame.
 */

/** The tokens read as a missing value unless the pipeline names others. */
export const DEFAULT_MISSING_TOKENS: readonly string[] = ["", "NA", "NaN", "null", "?"];

/**
 * The number grammar: decimal numbers with an optional sign, fraction and
 * exponent (`1`, `-2.5`, `.5`, `3.`, `1e-3`, `6.02E+23`). Stricter than
 * `Number()`, which would also read `0x1f`, `Infinity` and the empty string.
 */
export const NUMBER_PATTERN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * Parses a trimmed cell as a number, or returns `NaN` when it is not one.
 * Accepts exactly {@link NUMBER_PATTERN}: `Number()` does the parsing, and
 * the first and last characters rule out what `Number()` alone would accept
 * beyond the grammar (hex, binary, octal, `Infinity`, spaces). This runs for
 * every cell of a file, where a regular expression costs more than the parse.
 */
export function parseNumberCell(text: string): number {
  const n = text.length;
  if (n === 0) return Number.NaN;
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(n - 1);
  if (!(isDigit(first) || first === 43 || first === 45 || first === 46)) return Number.NaN;
  if (!(isDigit(last) || last === 46)) return Number.NaN;
  // 0x…, 0b…, 0o… (with or without a sign, Number() refuses signed ones).
  if (first === 48 && n > 2) {
    const second = text.charCodeAt(1) | 32;
    if (second === 120 || second === 98 || second === 111) return Number.NaN;
  }
  return Number(text);
}
