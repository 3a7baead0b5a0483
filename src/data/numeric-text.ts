/**
 * Text found in a column meant to be numeric: where the first text cell is,
 * how many cells are numbers and how many text, and the advice that fits —
 * a typo in a numeric column (most cells numbers) wants the value fixed or
 * named a missing-value token; a column of words wants to be categorical.
 */
import { DataError } from "../common/errors.js";
import { parseNumberCell } from "./cells.js";
import type { CategoricalColumn } from "./frame.js";

/** A column that must be numeric holds text; `where` names the file and line (or row). */
export class TextInNumericColumnError extends DataError {
  readonly where: string;
  readonly column: string;
  readonly value: string;
  constructor(where: string, column: string, value: string) {
    super(
      `${where}: column ${JSON.stringify(column)} is declared numeric but holds the text ${JSON.stringify(value)}; ` +
        `fix the value, add it to the missing-value tokens, or declare the column categorical`,
    );
    this.where = where;
    this.column = column;
    this.value = value;
  }
}

/** How many non-missing cells of a column read as numbers and how many as text, and the first text one. */
export interface NumericTextSummary {
  readonly numbers: number;
  readonly texts: number;
  /** 0-based data row of the first text cell, -1 when there is none. */
  readonly firstTextRow: number;
  readonly firstText: string | undefined;
}

/** Counts a categorical column's cells by whether they read as numbers (pure). */
export function summarizeNumericText(column: CategoricalColumn): NumericTextSummary {
  const isNumber = column.dictionary.map((value) => !Number.isNaN(parseNumberCell(value)));
  let numbers = 0;
  let texts = 0;
  let firstTextRow = -1;
  for (let i = 0; i < column.codes.length; i++) {
    const code = column.codes[i]!;
    if (code < 0) continue;
    if (isNumber[code]) numbers++;
    else {
      texts++;
      if (firstTextRow < 0) firstTextRow = i;
    }
  }
  const firstText = firstTextRow < 0 ? undefined : column.dictionary[column.codes[firstTextRow]!];
  return { numbers, texts, firstTextRow, firstText };
}

/**
 * The message for a `numeric_features` column that holds text, at `where`
 * (`data.csv: line 57`), with the advice that fits the share of text.
 */
export function describeTextInNumericFeature(where: string, name: string, summary: NumericTextSummary): string {
  const { numbers, texts, firstText } = summary;
  const total = numbers + texts;
  const head = `${where}: feature column ${JSON.stringify(name)} is listed in numeric_features but holds the text ${JSON.stringify(firstText)}`;
  if (numbers > texts) {
    return (
      `${head} (${numbers} of its ${total} values are numbers, ${texts} text); fix the value, ` +
      `or add it to data_source.missing_values if it marks a missing value`
    );
  }
  return `${head} (${texts} of its ${total} values are text); list it in categorical_features`;
}
