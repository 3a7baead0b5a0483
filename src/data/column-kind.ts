import type { Frame } from "./frame.js";

/** The two kinds of column a frame holds; the pipeline may force either. */
export const COLUMN_KINDS = ["numeric", "categorical"] as const;

/** A column kind. */
export type ColumnKind = (typeof COLUMN_KINDS)[number];

/**
 * The kind of every column of a frame, as `LoadOptions.types`: load a
 * holdout file with the training frame's kinds so a column cannot change
 * kind between the two (say, zip codes that happen to be all digits).
 */
export function describeColumnKinds(frame: Frame): Record<string, ColumnKind> {
  return Object.fromEntries(frame.columns.map((c) => [c.name, c.kind]));
}
