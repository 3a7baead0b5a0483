/**
 * Applies a fitted transform. Every value is what the exported ONNX graph
 * computes in float32: the input is rounded to float32, the Imputer
 * replaces NaN, and the Scaler's `(x - offset) * scale` rounds after each
 * operation, so a learner trained on this matrix sees exactly what it will
 * see when served.
 */
import { DataError } from "../common/errors.js";
import { findColumn, type Column, type Frame } from "../data/frame.js";
import type { FeatureMatrix } from "../learners/model.js";
import type { FittedCategoricalFeature, FittedFeatures, FittedNumericFeature } from "./types.js";

const f32 = Math.fround;

/** Applies the numeric steps to one value, in ONNX's float32 order. */
export function transformNumericValue(feature: FittedNumericFeature, raw: number): number {
  const x = Number.isNaN(raw) ? feature.imputeValue : f32(raw);
  return f32(f32(x - feature.offset) * feature.scale);
}

function columnOf(frame: Frame, name: string): Column {
  const column = findColumn(frame, name);
  if (column === undefined)
    throw new DataError(`feature column ${JSON.stringify(name)} not found in the data to transform`);
  return column;
}

function transformNumeric(
  feature: FittedNumericFeature,
  column: Column,
  rows: Int32Array | undefined,
  n: number,
): Float64Array {
  if (column.kind !== "numeric") {
    throw new DataError(
      `feature column ${JSON.stringify(feature.name)} was numeric in training but holds text here`,
    );
  }
  const out = new Float64Array(n);
  const values = column.values;
  for (let i = 0; i < n; i++)
    out[i] = transformNumericValue(feature, values[rows === undefined ? i : rows[i]!]!);
  return out;
}

/**
 * Maps each dictionary entry of the column to its output column: a
 * category's index, the "other" column, or -1 (unseen in training: all zeros).
 */
function buildSlots(
  feature: FittedCategoricalFeature,
  dictionary: readonly string[],
): { slots: Int32Array; missingSlot: number } {
  const slotOf = new Map<string, number>(feature.categories.map((c, k) => [c, k]));
  const other = feature.categories.length;
  for (const rare of feature.rareCategories) slotOf.set(rare, other);
  const slots = Int32Array.from(dictionary, (value) => slotOf.get(value) ?? -1);
  return { slots, missingSlot: slotOf.get(feature.imputeValue) ?? -1 };
}

function transformCategorical(
  feature: FittedCategoricalFeature,
  column: Column,
  rows: Int32Array | undefined,
  n: number,
): Float64Array[] {
  const width = feature.categories.length + (feature.rareCategories.length > 0 ? 1 : 0);
  const out = Array.from({ length: width }, () => new Float64Array(n));
  let codes: Int32Array;
  let dictionary: readonly string[];
  if (column.kind === "categorical") {
    codes = column.codes;
    dictionary = column.dictionary;
  } else {
    // A numeric column used as categorical: its values, as text, are the categories.
    const seen = new Map<number, number>();
    const entries: string[] = [];
    codes = new Int32Array(column.values.length);
    column.values.forEach((v, i) => {
      if (Number.isNaN(v)) {
        codes[i] = -1;
        return;
      }
      let code = seen.get(v);
      if (code === undefined) {
        code = entries.length;
        seen.set(v, code);
        entries.push(String(v));
      }
      codes[i] = code;
    });
    dictionary = entries;
  }
  const { slots, missingSlot } = buildSlots(feature, dictionary);
  for (let i = 0; i < n; i++) {
    const code = codes[rows === undefined ? i : rows[i]!]!;
    const slot = code < 0 ? missingSlot : slots[code]!;
    if (slot >= 0) out[slot]![i] = 1;
  }
  return out;
}

/**
 * Transforms `rows` of `frame` (all rows when absent) into the learner's
 * column-major feature matrix, in {@link FittedFeatures.outputNames} order.
 *
 * @throws DataError when a fitted column is absent or changed kind.
 */
export function transformFeatures(fitted: FittedFeatures, frame: Frame, rows?: Int32Array): FeatureMatrix {
  const n = rows === undefined ? frame.nRows : rows.length;
  const columns: Float64Array[] = [];
  for (const feature of fitted.features) {
    const column = columnOf(frame, feature.name);
    if (feature.kind === "numeric") columns.push(transformNumeric(feature, column, rows, n));
    else columns.push(...transformCategorical(feature, column, rows, n));
  }
  return { nRows: n, columns, names: fitted.outputNames };
}
