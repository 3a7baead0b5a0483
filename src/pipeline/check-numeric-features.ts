/**
 * A `numeric_features` column that loaded as text is refused right after
 * loading, at the file line of its first text cell with that cell's value —
 * the message `column_types` gives — and with advice that fits: a typo among
 * numbers is fixed or named missing, a column of words is categorical.
 */
import { DataError } from "../common/errors.js";
import { findColumn, type Frame } from "../data/frame.js";
import type { LoadOptions } from "../data/load-options.js";
import { loadTable, type TableSource } from "../data/load-table.js";
import {
  describeTextInNumericFeature,
  summarizeNumericText,
  TextInNumericColumnError,
} from "../data/numeric-text.js";

/**
 * Throws a DataError naming the line and value when a numeric feature holds
 * text. Reads the column a second time to find the line, only when it does.
 */
export async function checkNumericFeatures(
  frame: Frame,
  numericFeatures: readonly string[],
  request: { source: TableSource; options: LoadOptions },
): Promise<void> {
  for (const name of numericFeatures) {
    const column = findColumn(frame, name);
    if (column?.kind !== "categorical" || request.options.types?.[name] === "categorical") continue;
    const summary = summarizeNumericText(column);
    let where = `${request.source.path}: data row ${summary.firstTextRow + 1}`;
    try {
      await loadTable(request.source, { ...request.options, columns: [name], types: { [name]: "numeric" } });
    } catch (error) {
      if (!(error instanceof TextInNumericColumnError)) throw error;
      where = error.where;
    }
    throw new DataError(describeTextInNumericFeature(where, name, summary));
  }
}
