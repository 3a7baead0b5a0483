/** Small frame builders for the monitoring tests. */
import type { Column, Frame } from "../../src/data/frame.js";

/** A numeric column (NaN = missing). */
export function numeric(name: string, values: ArrayLike<number>): Column {
  return { kind: "numeric", name, values: Float64Array.from(values) };
}

/** A categorical column from strings (undefined = missing). */
export function categorical(name: string, values: readonly (string | undefined)[]): Column {
  const dictionary: string[] = [];
  const index = new Map<string, number>();
  const codes = Int32Array.from(values, (v) => {
    if (v === undefined) return -1;
    let c = index.get(v);
    if (c === undefined) {
      c = dictionary.length;
      dictionary.push(v);
      index.set(v, c);
    }
    return c;
  });
  return { kind: "categorical", name, codes, dictionary };
}

/** A frame from columns of equal length. */
export function frameOf(...columns: Column[]): Frame {
  const first = columns[0];
  const nRows = first === undefined ? 0 : first.kind === "numeric" ? first.values.length : first.codes.length;
  return { nRows, columns };
}
