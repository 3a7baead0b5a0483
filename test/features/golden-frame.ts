/** Builds frames from the JSON columns the golden fixtures store (null = missing). */
import type { Column, Frame } from "../../src/data/frame.js";

/** A numeric column when every present value is a number, else a categorical one. */
export function buildColumn(name: string, values: readonly (number | string | null)[]): Column {
  if (values.every((v) => v === null || typeof v === "number")) {
    return {
      kind: "numeric",
      name,
      values: Float64Array.from(values, (v) => (v === null ? Number.NaN : v)),
    };
  }
  const dictionary: string[] = [];
  const codes = Int32Array.from(values, (v) => {
    if (v === null) return -1;
    const text = String(v);
    let code = dictionary.indexOf(text);
    if (code < 0) code = dictionary.push(text) - 1;
    return code;
  });
  return { kind: "categorical", name, codes, dictionary };
}

/** A frame from named columns of equal length. */
export function buildFrame(columns: Readonly<Record<string, readonly (number | string | null)[]>>): Frame {
  const built = Object.entries(columns).map(([name, values]) => buildColumn(name, values));
  return {
    nRows: built[0]?.kind === "numeric" ? built[0].values.length : (built[0]?.codes.length ?? 0),
    columns: built,
  };
}

/** Rows `from` … `to - 1`. */
export function range(from: number, to: number): Int32Array {
  return Int32Array.from({ length: to - from }, (_, i) => from + i);
}
