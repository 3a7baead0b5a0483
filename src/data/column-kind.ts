/** The two kinds of column a frame holds; the pipeline may force either. */
export const COLUMN_KINDS = ["numeric", "categorical"] as const;

/** A column kind. */
export type ColumnKind = (typeof COLUMN_KINDS)[number];
