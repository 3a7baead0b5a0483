/**
 * Fits one numeric column: imputation value, then scaler offset and scale,
 * all stored as float32 values because the ONNX Imputer and Scaler hold
 * float32 attributes. Statistics are taken over the float32-rounded inputs
 * (what the ONNX graph receives), and the scaler is fitted on the imputed
 * values, as a scikit-learn `Pipeline(SimpleImputer, StandardScaler)` does.
 */
import { DataError } from "../common/errors.js";
import { computeMedianSorted } from "../common/statistics/descriptive.js";
import type { NumericColumn } from "../data/frame.js";
import type { FittedNumericFeature } from "./types.js";
import type { ResolvedNumericOptions } from "./options.js";

const f32 = Math.fround;

/** Fits the column on the given training rows. */
export function fitNumericFeature(
  column: NumericColumn,
  options: ResolvedNumericOptions,
  rows: Int32Array,
): FittedNumericFeature {
  const name = column.name;
  const present = new Float64Array(rows.length);
  let m = 0;
  for (let r = 0; r < rows.length; r++) {
    const raw = column.values[rows[r]!]!;
    if (Number.isNaN(raw)) continue;
    const x = f32(raw);
    if (!Number.isFinite(x)) {
      throw new DataError(
        `feature column ${JSON.stringify(name)}: the value ${raw} at data row ${rows[r]! + 1} is outside the float32 range the model computes in`,
      );
    }
    present[m++] = x;
  }
  const values = present.subarray(0, m);
  let imputeValue: number;
  if (options.imputation === "constant") {
    imputeValue = f32(options.fill_value);
  } else if (m === 0) {
    throw new DataError(
      `feature column ${JSON.stringify(name)} has no values in the ${rows.length} training rows, so its ${options.imputation} is undefined; ` +
        `use constant imputation or drop the column`,
    );
  } else if (options.imputation === "median") {
    imputeValue = f32(computeMedianSorted(Float64Array.from(values).sort()));
  } else {
    let sum = 0;
    for (let i = 0; i < m; i++) sum += values[i]!;
    imputeValue = f32(sum / m);
  }

  if (options.scaling === "none") return { kind: "numeric", name, imputeValue, offset: 0, scale: 1 };
  const n = rows.length;
  const missingCount = n - m;
  let min = missingCount > 0 ? imputeValue : Infinity;
  let max = missingCount > 0 ? imputeValue : -Infinity;
  for (let i = 0; i < m; i++) {
    const x = values[i]!;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (options.scaling === "minmax") {
    const range = max - min;
    return { kind: "numeric", name, imputeValue, offset: f32(min), scale: range > 0 ? f32(1 / range) : 1 };
  }
  // Two passes: the mean first, then squared deviations, for accuracy.
  let sum = missingCount * imputeValue;
  for (let i = 0; i < m; i++) sum += values[i]!;
  const mean = sum / n;
  let squares = missingCount * (imputeValue - mean) ** 2;
  for (let i = 0; i < m; i++) squares += (values[i]! - mean) ** 2;
  const std = Math.sqrt(squares / n);
  // A constant column keeps scale 1, like scikit-learn, rather than dividing by zero.
  const scale = max > min && std > 0 ? f32(1 / std) : 1;
  return { kind: "numeric", name, imputeValue, offset: f32(mean), scale };
}
