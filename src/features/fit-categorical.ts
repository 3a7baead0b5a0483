/**
 * Fits one categorical column: the imputation value, the categories that
 * get their own one-hot column (sorted, as scikit-learn's OneHotEncoder
 * orders them) and the rare ones folded into a shared "other" column.
 */
import { DataError } from "../common/errors.js";
import type { Column } from "../data/frame.js";
import type { FittedCategoricalFeature } from "./types.js";
import type { ResolvedCategoricalOptions } from "./options.js";

/** Code-unit order, as Python sorts strings (identical outside astral characters). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Counts each value over the training rows; `undefined` counts the missing ones. */
function countValues(column: Column, rows: Int32Array): { counts: Map<string, number>; missing: number } {
  const counts = new Map<string, number>();
  let missing = 0;
  if (column.kind === "categorical") {
    const byCode = new Int32Array(column.dictionary.length);
    for (let r = 0; r < rows.length; r++) {
      const code = column.codes[rows[r]!]!;
      if (code < 0) missing++;
      else byCode[code]!++;
    }
    byCode.forEach((count, code) => {
      if (count > 0) counts.set(column.dictionary[code]!, count);
    });
    return { counts, missing };
  }
  // A numeric column listed as categorical: its values are the categories.
  for (let r = 0; r < rows.length; r++) {
    const v = column.values[rows[r]!]!;
    if (Number.isNaN(v)) missing++;
    else counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
  }
  return { counts, missing };
}

function checkMinFrequency(name: string, minFrequency: number): void {
  const valid =
    (Number.isInteger(minFrequency) && minFrequency >= 1) || (minFrequency > 0 && minFrequency < 1);
  if (!valid) {
    throw new DataError(
      `feature column ${JSON.stringify(name)}: min_frequency=${minFrequency} must be a whole count ≥ 1 or a fraction in (0, 1)`,
    );
  }
}

/** Fits the column on the given training rows. */
export function fitCategoricalFeature(
  column: Column,
  options: ResolvedCategoricalOptions,
  rows: Int32Array,
): FittedCategoricalFeature {
  const name = column.name;
  checkMinFrequency(name, options.min_frequency);
  const { counts, missing } = countValues(column, rows);
  let imputeValue: string;
  if (options.imputation === "constant") {
    imputeValue = options.fill_value;
  } else {
    let best: string | undefined;
    let bestCount = 0;
    for (const [value, count] of counts) {
      if (count > bestCount || (count === bestCount && best !== undefined && compareText(value, best) < 0)) {
        best = value;
        bestCount = count;
      }
    }
    if (best === undefined) {
      throw new DataError(
        `feature column ${JSON.stringify(name)} has no values in the ${rows.length} training rows, so its most frequent value is undefined; ` +
          `use constant imputation or drop the column`,
      );
    }
    imputeValue = best;
  }
  if (missing > 0) counts.set(imputeValue, (counts.get(imputeValue) ?? 0) + missing);

  const threshold = options.min_frequency >= 1 ? options.min_frequency : options.min_frequency * rows.length;
  const categories: string[] = [];
  const rareCategories: string[] = [];
  for (const value of [...counts.keys()].sort(compareText)) {
    (counts.get(value)! < threshold ? rareCategories : categories).push(value);
  }
  return { kind: "categorical", name, imputeValue, categories, rareCategories };
}
