/**
 * Builds one frame column from text cells, one cell at a time, so a loader
 * can stream a file without keeping its rows. A column stays numeric while
 * every non-missing cell parses as a number, and turns categorical at the
 * first cell that does not (unless the pipeline forced its kind).
 */
import { normalizeCategory, parseNumberCell, trimCell } from "./cells.js";
import type { ColumnKind } from "./column-kind.js";
import type { Column } from "./frame.js";
import { TextInNumericColumnError } from "./numeric-text.js";

/** Accumulates the cells of one column. */
export interface ColumnBuilder {
  readonly name: string;
  /**
   * Adds the next cell. `where` names its position for error messages
   * (`data.csv: line 7`); it is only called when something is wrong.
   */
  push(cell: string, where: () => string): void;
  /** Adds a missing value (a Parquet null), whatever the missing tokens are. */
  pushMissing(): void;
  /**
   * True when the column turned categorical after numbers had already been
   * stored: the earlier cells' text is gone, so the loader reads the column
   * again as categorical. Rare: text columns usually show text at once.
   */
  readonly needsRereadAsCategorical: boolean;
  /** The finished column. */
  finish(): Column;
}

/** Growable typed buffers: doubling keeps appends amortised O(1) without per-row objects. */
function grow<T extends Float64Array | Int32Array>(array: T, make: (n: number) => T): T {
  const bigger = make(array.length * 2);
  bigger.set(array);
  return bigger;
}

/** Creates a builder; `forced` is the kind the pipeline asked for, if any. */
export function createColumnBuilder(
  name: string,
  missing: ReadonlySet<string>,
  forced?: ColumnKind,
): ColumnBuilder {
  let mode: ColumnKind = forced ?? "numeric";
  let numbers = new Float64Array(mode === "numeric" ? 1024 : 0);
  let codes = new Int32Array(mode === "categorical" ? 1024 : 0);
  // Keyed by the cell's text; texts naming one category (`1.0`, `1`) share its code.
  const codeOf = new Map<string, number>();
  const codeOfCategory = new Map<string, number>();
  const dictionary: string[] = [];
  let count = 0;
  let storedNumber = false;
  let reread = false;

  function pushCode(text: string | undefined): void {
    if (count === codes.length) codes = grow(codes, (n) => new Int32Array(Math.max(n, 1024)));
    if (text === undefined) {
      codes[count++] = -1;
      return;
    }
    let code = codeOf.get(text);
    if (code === undefined) {
      const category = normalizeCategory(text);
      code = codeOfCategory.get(category);
      if (code === undefined) {
        code = dictionary.length;
        codeOfCategory.set(category, code);
        dictionary.push(category);
      }
      codeOf.set(text, code);
    }
    codes[count++] = code;
  }

  return {
    name,
    get needsRereadAsCategorical() {
      return reread;
    },
    push(cell, where) {
      // Trimming allocates; most cells have no surrounding spaces.
      const text = trimCell(cell);
      const isMissing = missing.has(text);
      if (mode === "numeric") {
        if (isMissing) {
          if (count === numbers.length) numbers = grow(numbers, (n) => new Float64Array(n));
          numbers[count++] = Number.NaN;
          return;
        }
        const value = parseNumberCell(text);
        if (!Number.isNaN(value)) {
          if (count === numbers.length) numbers = grow(numbers, (n) => new Float64Array(n));
          numbers[count++] = value;
          storedNumber = true;
          return;
        }
        if (forced === "numeric") throw new TextInNumericColumnError(where(), name, cell);
        // First text cell: the column is categorical from here on.
        mode = "categorical";
        reread = storedNumber;
        codes = new Int32Array(Math.max(numbers.length, 1024));
        for (let i = 0; i < count; i++) codes[i] = -1;
        numbers = new Float64Array(0);
      }
      pushCode(isMissing ? undefined : text);
    },
    pushMissing() {
      if (mode === "categorical") {
        pushCode(undefined);
        return;
      }
      if (count === numbers.length) numbers = grow(numbers, (n) => new Float64Array(n));
      numbers[count++] = Number.NaN;
    },
    finish(): Column {
      if (mode === "numeric") return { kind: "numeric", name, values: numbers.slice(0, count) };
      return { kind: "categorical", name, codes: codes.slice(0, count), dictionary };
    },
  };
}
