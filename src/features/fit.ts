/**
 * Fits the whole feature transform on the training rows only, so nothing
 * about the test rows leaks into the model.
 */
import { DataError } from "../common/errors.js";
import { findColumn, type Column, type Frame } from "../data/frame.js";
import { listNames } from "../data/load-options.js";
import { describeTextInNumericFeature, summarizeNumericText } from "../data/numeric-text.js";
import { fitCategoricalFeature } from "./fit-categorical.js";
import { fitNumericFeature } from "./fit-numeric.js";
import { resolveCategoricalOptions, resolveNumericOptions, type FeatureOptions } from "./options.js";
import { OTHER_CATEGORY, type FittedFeature, type FittedFeatures } from "./types.js";

/** Output column names of one fitted feature. */
export function buildOutputNames(feature: FittedFeature): string[] {
  if (feature.kind === "numeric") return [feature.name];
  const names = feature.categories.map((c) => `${feature.name}=${c}`);
  if (feature.rareCategories.length > 0) names.push(`${feature.name}=${OTHER_CATEGORY}`);
  return names;
}

function requireColumn(frame: Frame, name: string): Column {
  const column = findColumn(frame, name);
  if (column === undefined) {
    throw new DataError(
      `feature column ${JSON.stringify(name)} not found; the data has ${frame.columns.length} columns: ${listNames(frame.columns.map((c) => c.name))}`,
    );
  }
  return column;
}

/** Per-column options for a column that is not in the matching list are most likely a typo. */
function checkPerColumnOptions(options: FeatureOptions, categorical: readonly string[]): void {
  const pairs = [
    ["numeric_columns", options.numeric_columns, options.numeric_features, "numeric_features"],
    ["categorical_columns", options.categorical_columns, categorical, "categorical_features"],
  ] as const;
  for (const [key, perColumn, listed, listName] of pairs) {
    for (const name of Object.keys(perColumn ?? {})) {
      if (!listed.includes(name)) {
        throw new DataError(
          `feature options (${key}) name the column ${JSON.stringify(name)}, which is not listed in ${listName}; is it misspelt?`,
        );
      }
    }
  }
}

function checkLists(numeric: readonly string[], categorical: readonly string[]): void {
  if (numeric.length + categorical.length === 0) {
    throw new DataError("no features: numeric_features and categorical_features are both empty");
  }
  const seen = new Set<string>();
  for (const name of [...numeric, ...categorical]) {
    if (seen.has(name)) {
      throw new DataError(
        `feature column ${JSON.stringify(name)} is listed twice (numeric_features and categorical_features must not overlap)`,
      );
    }
    seen.add(name);
  }
}

/**
 * Fits numeric features (in `numeric_features` order) then categorical
 * ones, on `rows` of `frame`.
 *
 * @throws DataError for an absent column, a text column listed as numeric,
 * a feature with no training values to impute from, a bad `min_frequency`,
 * or no training rows.
 */
export function fitFeatures(frame: Frame, options: FeatureOptions, rows: Int32Array): FittedFeatures {
  const categorical = options.categorical_features ?? [];
  checkLists(options.numeric_features, categorical);
  checkPerColumnOptions(options, categorical);
  if (rows.length === 0) throw new DataError("cannot fit features on zero training rows");
  const features: FittedFeature[] = [];
  for (const name of options.numeric_features) {
    const column = requireColumn(frame, name);
    if (column.kind !== "numeric") {
      const summary = summarizeNumericText(column);
      throw new DataError(
        describeTextInNumericFeature(`data row ${summary.firstTextRow + 1}`, name, summary),
      );
    }
    features.push(fitNumericFeature(column, resolveNumericOptions(options, name), rows));
  }
  for (const name of categorical) {
    features.push(
      fitCategoricalFeature(requireColumn(frame, name), resolveCategoricalOptions(options, name), rows),
    );
  }
  return { features, outputNames: features.flatMap(buildOutputNames) };
}
