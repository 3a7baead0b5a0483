/**
 * Options every table loader accepts, and the checks they share: the
 * columns the pipeline needs must exist, and the type overrides must name
 * real columns.
 */
import { DataError } from "../common/errors.js";
import { DEFAULT_MISSING_TOKENS } from "./cells.js";
import type { ColumnKind } from "./column-kind.js";

/** How a table is read. */
export interface LoadOptions {
  /** Cells read as missing (compared after trimming spaces). Default {@link DEFAULT_MISSING_TOKENS}. */
  readonly missingTokens?: readonly string[];
  /** Forces a column's kind instead of inferring it. */
  readonly types?: Readonly<Record<string, ColumnKind>>;
  /**
   * The columns the pipeline needs. When given, a missing one is an error
   * that lists the columns the file has, and the frame holds only these (in
   * file order), which saves memory on wide files.
   */
  readonly columns?: readonly string[];
  /**
   * Reads at most this many data rows: a header and a sample, where the
   * whole file is not needed (checking a file's columns and kinds).
   */
  readonly maxRows?: number;
  /** CSV field delimiter, default `,`. Ignored for Parquet. */
  readonly delimiter?: string;
}

/** The set of missing-value tokens the options ask for. */
export function buildMissingSet(options: LoadOptions): ReadonlySet<string> {
  return new Set((options.missingTokens ?? DEFAULT_MISSING_TOKENS).map((t) => t.trim()));
}

/** Quotes a list of names for a message, shortening very long lists. */
export function listNames(names: readonly string[], limit = 30): string {
  const shown = names.slice(0, limit).map((n) => JSON.stringify(n));
  const more = names.length > limit ? `, … (${names.length - limit} more)` : "";
  return shown.join(", ") + more;
}

/** Longest part of a file's header an error message quotes. */
export const HEADER_QUOTE_CHARS = 80;

/**
 * The start of a header as an error may quote it: JSON-escaped and at most
 * {@link HEADER_QUOTE_CHARS} characters, since the "header" of a file that
 * is not a table (a key file, `/etc/passwd`) is its first line of content.
 */
export function quoteHeaderPrefix(header: readonly string[]): string {
  const text = listNames(header, 10);
  return text.length <= HEADER_QUOTE_CHARS ? text : `${text.slice(0, HEADER_QUOTE_CHARS)}…`;
}

/**
 * Checks the needed and overridden columns against the file's header and
 * returns the indices of the columns to load.
 */
export function selectColumns(source: string, header: readonly string[], options: LoadOptions): number[] {
  const present = new Set(header);
  const wanted = [...(options.columns ?? []), ...Object.keys(options.types ?? {})];
  const absent = [...new Set(wanted.filter((name) => !present.has(name)))];
  if (absent.length > 0) {
    const noun = absent.length === 1 ? "column" : "columns";
    throw new DataError(
      `${source}: ${noun} ${listNames(absent)} not found; the file has ${header.length} columns: ${quoteHeaderPrefix(header)}`,
    );
  }
  if (options.columns === undefined) return header.map((_, i) => i);
  const needed = new Set(options.columns);
  const indices: number[] = [];
  header.forEach((name, i) => {
    if (needed.has(name)) indices.push(i);
  });
  return indices;
}

/** Rejects empty and duplicated column names, which would make columns unaddressable. */
export function checkHeader(source: string, header: readonly string[], where: string): void {
  const seen = new Set<string>();
  header.forEach((name, i) => {
    if (name.trim() === "") throw new DataError(`${source}: ${where}: column ${i + 1} has an empty name`);
    if (seen.has(name)) {
      throw new DataError(`${source}: ${where}: column name ${JSON.stringify(name)} appears twice (columns must be unique)`);
    }
    seen.add(name);
  });
}
