/**
 * High-cardinality categorical features. One-hot encoding gives every level
 * a column, so a date or an ID used as a category (a thousand levels and
 * more) makes every split and every trial slower by that factor, with no
 * warning otherwise. Above {@link HIGH_CARDINALITY_LEVELS} levels a feature
 * is named, with what to do instead.
 */
import { findColumn, type Frame } from "../data/frame.js";

/** More distinct values than this in a categorical feature earns a warning. */
export const HIGH_CARDINALITY_LEVELS = 100;

/** A categorical feature with many levels. */
export interface HighCardinalityFeature {
  readonly name: string;
  /** Distinct values seen (in the rows given). */
  readonly levels: number;
}

/** The categorical features of `frame` with more than `limit` distinct values, in the order given. */
export function findHighCardinalityFeatures(
  frame: Frame,
  categorical: readonly string[],
  limit = HIGH_CARDINALITY_LEVELS,
): HighCardinalityFeature[] {
  const found: HighCardinalityFeature[] = [];
  for (const name of categorical) {
    const column = findColumn(frame, name);
    if (column?.kind === "categorical" && column.dictionary.length > limit)
      found.push({ name, levels: column.dictionary.length });
  }
  return found;
}

/** The warning for one feature: how many levels, what it costs, and the ways out. */
export function describeHighCardinality(feature: HighCardinalityFeature, where: string): string {
  return (
    `categorical feature ${JSON.stringify(feature.name)} has ${feature.levels} distinct values ${where} ` +
    `(more than ${HIGH_CARDINALITY_LEVELS}): one-hot encoding gives each its own column, which slows fitting and tuning; ` +
    `if it is a date, list it in datetime_features (year, month, day of week and hour as numeric inputs) instead; set min_frequency to pool rare values; or leave it out if it is an ID`
  );
}
