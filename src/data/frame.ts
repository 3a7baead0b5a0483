/**
 * Columnar frames: the in-memory shape of a data set. Numeric columns are
 * `Float64Array` with `NaN` for a missing value; categorical columns are
 * integer codes into a dictionary, with `-1` for a missing value. No per-row
 * objects: every hot loop walks typed arrays.
 */

/** A numeric column. `NaN` marks a missing value. */
export interface NumericColumn {
  readonly kind: "numeric";
  readonly name: string;
  readonly values: Float64Array;
}

/** A categorical column: `codes[i]` indexes `dictionary`, `-1` is missing. */
export interface CategoricalColumn {
  readonly kind: "categorical";
  readonly name: string;
  readonly codes: Int32Array;
  readonly dictionary: readonly string[];
}

/** Either kind of column. */
export type Column = NumericColumn | CategoricalColumn;

/** A table of equally long, named columns, in file order. */
export interface Frame {
  readonly nRows: number;
  readonly columns: readonly Column[];
}

/** Finds a column by name, or `undefined`. */
export function findColumn(frame: Frame, name: string): Column | undefined {
  return frame.columns.find((c) => c.name === name);
}

/** Returns a new frame holding the given rows, in the given order. */
export function takeRows(frame: Frame, rows: Int32Array): Frame {
  const columns = frame.columns.map((column): Column => {
    if (column.kind === "numeric") {
      const values = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) values[i] = column.values[rows[i]!]!;
      return { kind: "numeric", name: column.name, values };
    }
    const codes = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) codes[i] = column.codes[rows[i]!]!;
    return { kind: "categorical", name: column.name, codes, dictionary: column.dictionary };
  });
  return { nRows: rows.length, columns };
}

/** The frame with only the named columns, in the order given; the columns are shared, not copied. */
export function selectFrameColumns(frame: Frame, names: readonly string[]): Frame {
  const byName = new Map(frame.columns.map((c) => [c.name, c] as const));
  return {
    nRows: frame.nRows,
    columns: names.map((name) => {
      const column = byName.get(name);
      if (column === undefined) throw new RangeError(`the frame has no column ${JSON.stringify(name)}`);
      return column;
    }),
  };
}
