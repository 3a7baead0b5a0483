/**
 * Turns frame columns into the raw inputs of an exported graph, the same
 * values the TypeScript transform reads: numeric columns as float32 (NaN =
 * missing), categorical columns as strings with `""` for a missing value.
 */
import { DataError } from "../common/errors.js";
import { findColumn, type Frame } from "../data/frame.js";
import type { FittedFeatures } from "../features/types.js";
import { MISSING_CATEGORY } from "./export-features.js";
import type { OnnxColumns } from "./session.js";

/** The raw input columns of a graph: what a fitted transform or a model card lists. */
export interface RawInputSchema {
  readonly features: readonly Pick<FittedFeatures["features"][number], "name" | "kind">[];
}

/** Builds one ONNX input column per feature from `rows` of `frame` (all rows when absent). */
export function buildOnnxColumns(features: RawInputSchema, frame: Frame, rows?: Int32Array): OnnxColumns {
  const n = rows === undefined ? frame.nRows : rows.length;
  const at = (i: number): number => (rows === undefined ? i : rows[i]!);
  const columns: Record<string, Float32Array | string[]> = {};
  for (const feature of features.features) {
    const column = findColumn(frame, feature.name);
    if (column === undefined)
      throw new DataError(`feature column ${JSON.stringify(feature.name)} not found in the data`);
    if (feature.kind === "numeric") {
      if (column.kind !== "numeric") {
        throw new DataError(
          `feature column ${JSON.stringify(feature.name)} was numeric in training but holds text here`,
        );
      }
      const values = new Float32Array(n);
      for (let i = 0; i < n; i++) values[i] = column.values[at(i)]!;
      columns[feature.name] = values;
      continue;
    }
    const strings = new Array<string>(n);
    if (column.kind === "categorical") {
      for (let i = 0; i < n; i++) {
        const code = column.codes[at(i)]!;
        strings[i] = code < 0 ? MISSING_CATEGORY : (column.dictionary[code] ?? MISSING_CATEGORY);
      }
    } else {
      // A numeric column used as categorical: its values as text, as the transform does.
      for (let i = 0; i < n; i++) {
        const v = column.values[at(i)]!;
        strings[i] = Number.isNaN(v) ? MISSING_CATEGORY : String(v);
      }
    }
    columns[feature.name] = strings;
  }
  return columns;
}
