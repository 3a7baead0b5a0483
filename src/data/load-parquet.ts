/**
 * Loads a Parquet file into a {@link Frame} with hyparquet, column by
 * column. Numeric Parquet types become numeric columns directly; text
 * columns go through the same cell rules as CSV (missing tokens, number
 * inference), so the two formats agree.
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } from "hyparquet";
import type { ColumnData, DecodedArray, FileMetaData } from "hyparquet";
import { DataError } from "../common/errors.js";
import { createColumnBuilder } from "./column-builder.js";
import type { ColumnKind } from "./column-kind.js";
import type { Column, Frame } from "./frame.js";
import { checkReadableFile } from "./load-csv.js";
import { buildMissingSet, checkHeader, selectColumns, type LoadOptions } from "./load-options.js";

/** Joins a column's chunks in row order into one plain array of cell values. */
function assemble(chunks: readonly ColumnData[], nRows: number): unknown[] {
  const cells = new Array<unknown>(nRows).fill(null);
  for (const chunk of chunks) {
    const data: DecodedArray = chunk.columnData;
    const end = Math.min(chunk.rowEnd, nRows);
    for (let row = chunk.rowStart; row < end; row++) cells[row] = data[row - chunk.rowStart];
  }
  return cells;
}

/** True when every cell of every chunk is a number, a bigint or null. */
function isNumericData(chunks: readonly ColumnData[]): boolean {
  return chunks.every((chunk) => {
    const data = chunk.columnData;
    if (!Array.isArray(data)) return true;
    return data.every((v) => v === null || v === undefined || typeof v === "number" || typeof v === "bigint");
  });
}

/** Copies numeric chunks straight into a typed column, skipping a per-cell array. */
function assembleNumeric(chunks: readonly ColumnData[], nRows: number): Float64Array {
  const values = new Float64Array(nRows).fill(Number.NaN);
  for (const chunk of chunks) {
    const data = chunk.columnData as ArrayLike<number | bigint | null | undefined>;
    const end = Math.min(chunk.rowEnd, nRows);
    for (let row = chunk.rowStart; row < end; row++) {
      const v = data[row - chunk.rowStart];
      if (v !== null && v !== undefined) values[row] = Number(v);
    }
  }
  return values;
}

function cellText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v));
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return "";
}

/** Builds one frame column from a Parquet column's chunks. */
function buildColumn(
  path: string,
  name: string,
  chunks: readonly ColumnData[],
  nRows: number,
  missing: ReadonlySet<string>,
  forced: ColumnKind | undefined,
): Column {
  if (forced !== "categorical" && isNumericData(chunks)) {
    return { kind: "numeric", name, values: assembleNumeric(chunks, nRows) };
  }
  const cells = assemble(chunks, nRows);
  const build = (kind: ColumnKind | undefined): ReturnType<typeof createColumnBuilder> => {
    const builder = createColumnBuilder(name, missing, kind);
    for (let i = 0; i < cells.length; i++) {
      const v = cells[i];
      if (v === null || v === undefined) builder.pushMissing();
      else builder.push(cellText(v), () => `${path}: row ${i + 1}`);
    }
    return builder;
  };
  const builder = build(forced);
  // Text after numbers: the cells are still in memory, so build again as text.
  return builder.needsRereadAsCategorical ? build("categorical").finish() : builder.finish();
}

async function readMetadata(path: string): Promise<{ file: Awaited<ReturnType<typeof asyncBufferFromFile>>; metadata: FileMetaData }> {
  const file = await asyncBufferFromFile(path);
  try {
    return { file, metadata: await parquetMetadataAsync(file) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DataError(`${path}: not a Parquet file (${reason})`, { cause: error });
  }
}

/**
 * Loads a Parquet file into a frame. Rows are numbered from 1 in error
 * messages (Parquet has no lines).
 *
 * @throws DataError for a missing, empty or non-Parquet file, a missing
 * needed column, or text in a column declared numeric.
 */
export async function loadParquet(path: string, options: LoadOptions = {}): Promise<Frame> {
  await checkReadableFile(path);
  const { file, metadata } = await readMetadata(path);
  const header = parquetSchema(metadata).children.map((child) => child.element.name);
  checkHeader(path, header, "schema");
  const indices = selectColumns(path, header, options);
  const names = indices.map((i) => header[i]!);
  const stored = Number(metadata.num_rows);
  if (stored === 0) throw new DataError(`${path}: has a schema but no data rows`);
  const nRows = Math.min(stored, options.maxRows ?? stored);
  const chunks = new Map<string, ColumnData[]>(names.map((n) => [n, []]));
  try {
    await parquetRead({
      file,
      metadata,
      columns: names,
      rowStart: 0,
      rowEnd: nRows,
      onChunk(chunk) {
        chunks.get(chunk.columnName)?.push(chunk);
      },
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DataError(`${path}: cannot read Parquet data (${reason})`, { cause: error });
  }
  const missing = buildMissingSet(options);
  const columns = names.map((name) =>
    buildColumn(path, name, chunks.get(name) ?? [], nRows, missing, options.types?.[name]),
  );
  return { nRows, columns };
}
