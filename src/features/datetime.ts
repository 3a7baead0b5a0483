/**
 * Datetime features: a column of dates or date-times becomes four numeric
 * inputs — `<column>__year`, `<column>__month` (1–12),
 * `<column>__day_of_week` (0 = Monday … 6 = Sunday, as pandas'
 * `dayofweek`) and `<column>__hour` (0–23) — in UTC (an offset in the text
 * is applied; text without one is taken as UTC). The parts are plain
 * numeric features, so every learner, the ONNX export and drift treat
 * them as such; the model card says which column each part comes from,
 * and the server derives them from the date a request sends.
 *
 * Accepted text (ISO 8601): `2026-12-07`, `2026-12-07T10:30`,
 * `2026-12-07 10:30:15`, `2026-12-07T10:30:15.250Z`, `…+01:00`. Empty text
 * is missing (every part missing).
 */
import { DataError } from "../common/errors.js";
import type { Column, Frame } from "../data/frame.js";

/** The parts a datetime feature becomes, in input order. */
export const DATETIME_PARTS = ["year", "month", "day_of_week", "hour"] as const;
export type DateTimePart = (typeof DATETIME_PARTS)[number];

/** Where a derived numeric input comes from. */
export interface DerivedFrom {
  readonly column: string;
  readonly part: DateTimePart;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** The name of one part's input. */
export function partName(column: string, part: DateTimePart): string {
  return `${column}__${part}`;
}

/** The inputs a datetime column becomes, with where each comes from. */
export function listDateTimeInputs(columns: readonly string[]): { name: string; derived: DerivedFrom }[] {
  return columns.flatMap((column) =>
    DATETIME_PARTS.map((part) => ({ name: partName(column, part), derived: { column, part } })),
  );
}

/** Milliseconds since the epoch (UTC) of ISO 8601 text; undefined when it is not a valid date. */
export function parseDateTime(text: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (m === null) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m
    .slice(1, 7)
    .map((v) => (v === undefined ? undefined : Number(v)));
  const ms = Date.UTC(year!, month! - 1, day, hour, minute, second);
  const back = new Date(ms);
  // Date.UTC rolls 2026-02-30 over into March: a date that does not round-trip does not exist.
  if (
    back.getUTCMonth() !== month! - 1 ||
    back.getUTCDate() !== day! ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  )
    return undefined;
  const zone = m[7];
  if (zone === undefined || zone === "Z") return ms;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  return ms - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
}

/** One part of a date (ms since the epoch, UTC). */
export function dateTimePart(ms: number, part: DateTimePart): number {
  const date = new Date(ms);
  switch (part) {
    case "year":
      return date.getUTCFullYear();
    case "month":
      return date.getUTCMonth() + 1;
    case "day_of_week":
      return (date.getUTCDay() + 6) % 7;
    case "hour":
      return date.getUTCHours();
  }
}

/**
 * Reads one value sent for a datetime column: its part, NaN when missing
 * (null, empty text or a missing-value token); undefined when it is not a
 * date, which the caller reports.
 */
export function readDateTimePart(
  value: unknown,
  part: DateTimePart,
  missing: ReadonlySet<string>,
): number | undefined {
  if (value === null) return Number.NaN;
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (text === "" || missing.has(text)) return Number.NaN;
  const ms = parseDateTime(text);
  return ms === undefined ? undefined : dateTimePart(ms, part);
}

/** The parts of one loaded text column, each a numeric column; a value that is not a date throws, naming its row. */
function expandColumn(column: Column, source: string): Column[] {
  const parts = DATETIME_PARTS.map((part) => ({
    part,
    values: new Float64Array(column.kind === "numeric" ? column.values.length : column.codes.length),
  }));
  if (column.kind === "numeric") {
    throw new DataError(
      `${source}: datetime feature ${JSON.stringify(column.name)} loaded as numbers; expected ISO 8601 dates such as 2026-12-07 or 2026-12-07T10:30:00Z`,
    );
  }
  // Parse each distinct text once: dates repeat.
  const byCode = column.dictionary.map((text) => (text.trim() === "" ? Number.NaN : parseDateTime(text)));
  for (let i = 0; i < column.codes.length; i++) {
    const code = column.codes[i]!;
    const ms = code < 0 ? Number.NaN : byCode[code];
    if (ms === undefined) {
      throw new DataError(
        `${source}: datetime feature ${JSON.stringify(column.name)} holds ${JSON.stringify(column.dictionary[code]!.slice(0, 80))} at data row ${i + 1}; expected an ISO 8601 date such as 2026-12-07 or 2026-12-07T10:30:00Z (empty for missing)`,
      );
    }
    for (const { part, values } of parts) values[i] = Number.isNaN(ms) ? Number.NaN : dateTimePart(ms, part);
  }
  return parts.map(({ part, values }) => ({ kind: "numeric", name: partName(column.name, part), values }));
}

/**
 * The frame with each datetime column replaced by its numeric parts (other
 * columns unchanged, in order). `source` names the file in errors.
 */
export function expandDateTimeColumns(frame: Frame, columns: readonly string[], source: string): Frame {
  if (columns.length === 0) return frame;
  const wanted = new Set(columns);
  const out: Column[] = [];
  for (const column of frame.columns) {
    if (wanted.has(column.name)) out.push(...expandColumn(column, source));
    else out.push(column);
  }
  return { ...frame, columns: out };
}

/**
 * The columns to read from data for some inputs: each input's own column,
 * or, for a date's part, its datetime column (once); and which of them are
 * datetime columns, to load as text and expand.
 */
export function listRawColumns(inputs: readonly { name: string; derived_from?: DerivedFrom | undefined }[]): {
  columns: string[];
  datetimes: string[];
} {
  const columns: string[] = [];
  const datetimes: string[] = [];
  for (const input of inputs) {
    const raw = input.derived_from?.column ?? input.name;
    if (columns.includes(raw)) continue;
    columns.push(raw);
    if (input.derived_from !== undefined) datetimes.push(raw);
  }
  return { columns, datetimes };
}
