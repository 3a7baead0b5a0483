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

/** Number text an identifier keeps as written: a leading zero before another digit (`007`, `01234`). */
const LEADING_ZERO = /^[+-]?0\d/;

/**
 * The category a trimmed, non-missing text names. Number text is written
 * the shortest way (`1.0`, `1`, `+1` and `1e0` are all category `1`), so a
 * category reads the same from a CSV, a Parquet number, a JSON number or a
 * JSON string; text with a leading zero (`007`, a zip code) stays as written.
 * Training (the loaders), the ONNX inputs and the server all go through this.
 */
export function normalizeCategory(text: string): string {
  const value = parseNumberCell(text);
  if (Number.isNaN(value) || LEADING_ZERO.test(text)) return text;
  return String(value);
}

/** Trims a cell's surrounding white space without allocating when there is none. */
export function trimCell(cell: string): string {
  return cell.length > 0 && (cell.charCodeAt(0) <= 32 || cell.charCodeAt(cell.length - 1) <= 32)
    ? cell.trim()
    : cell;
}

/**
 * Reads one value sent for a numeric column (a JSON request field) the way
 * the loaders read a cell: a number; `null`, or text that is a
 * missing-value token, is missing (`NaN`); other text must be a number.
 * Returns `undefined` for anything else, which the caller reports.
 */
export function readNumericValue(value: unknown, missing: ReadonlySet<string>): number | undefined {
  if (value === null) return Number.NaN;
  if (typeof value === "number") return value;
  if (typeof value !== "string") return undefined;
  const text = trimCell(value);
  if (missing.has(text)) return Number.NaN;
  const parsed = parseNumberCell(text);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/**
 * Reads one value sent for a categorical column the way the loaders read a
 * cell: `null`, or text that is a missing-value token, is missing (`""`);
 * text and numbers go through {@link normalizeCategory}; booleans are their
 * text. Returns `undefined` for anything else, which the caller reports.
 */
export function readCategoryValue(value: unknown, missing: ReadonlySet<string>): string | undefined {
  if (value === null) return "";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") return Number.isFinite(value) ? normalizeCategory(String(value)) : undefined;
  if (typeof value !== "string") return undefined;
  const text = trimCell(value);
  return missing.has(text) ? "" : normalizeCategory(text);
}
