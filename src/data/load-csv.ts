/**
 * Streams a CSV file into a {@link Frame} with csv-parse: the file is never
 * held in memory as text or rows, only as the typed columns being built.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parse } from "csv-parse";
import { DataError } from "../common/errors.js";
import { createColumnBuilder, type ColumnBuilder } from "./column-builder.js";
import type { ColumnKind } from "./column-kind.js";
import type { Column, Frame } from "./frame.js";
import { buildMissingSet, checkHeader, selectColumns, type LoadOptions } from "./load-options.js";

/** Fails with a clear error when the path is absent, a folder, or empty. */
export async function checkReadableFile(path: string): Promise<void> {
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new DataError(`${path}: is a folder, not a data file`);
    size = info.size;
  } catch (error) {
    if (error instanceof DataError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new DataError(`${path}: file does not exist`, { cause: error });
    throw new DataError(`${path}: cannot read the file (${code ?? String(error)})`, { cause: error });
  }
  if (size === 0) throw new DataError(`${path}: file is empty`);
}

/** Passes bytes through, failing at the first NUL byte: text files never hold one, binary files nearly always do. */
function createBinaryGuard(path: string): Transform {
  let offset = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const at = chunk.indexOf(0);
      if (at >= 0) {
        callback(
          new DataError(
            `${path}: not a CSV file: it holds binary data (a NUL byte at byte ${offset + at + 1}); ` +
              `is it a Parquet or compressed file?`,
          ),
        );
        return;
      }
      offset += chunk.length;
      callback(null, chunk);
    },
  });
}

function describeCsvError(path: string, error: unknown): DataError {
  if (error instanceof DataError) return error;
  const lines = (error as { lines?: unknown }).lines;
  const where = typeof lines === "number" ? `line ${lines}: ` : "";
  const message = error instanceof Error ? error.message : String(error);
  return new DataError(`${path}: ${where}not valid CSV: ${message}`, { cause: error });
}

/** One pass over the file, feeding the selected columns to builders. */
async function readColumns(
  path: string,
  options: LoadOptions,
  forcedKinds: Readonly<Record<string, ColumnKind>>,
): Promise<{ header: string[]; builders: ColumnBuilder[]; nRows: number }> {
  const missing = buildMissingSet(options);
  // Line numbers are counted here rather than with csv-parse's `info`,
  // which builds an object per record and triples the parse time.
  const parser = parse({
    bom: true,
    relax_column_count: true,
    delimiter: options.delimiter ?? ",",
  });
  const done = pipeline(createReadStream(path), createBinaryGuard(path), parser).then(
    () => undefined,
    (error: unknown) => error,
  );
  let header: string[] | undefined;
  let indices: number[] = [];
  let builders: ColumnBuilder[] = [];
  let nRows = 0;
  let nextLine = 1;
  let stoppedEarly = false;
  try {
    for await (const item of parser as AsyncIterable<string[]>) {
      const record = item;
      const line = nextLine;
      nextLine += 1;
      for (const field of record) for (let at = field.indexOf("\n"); at >= 0; at = field.indexOf("\n", at + 1)) nextLine++;
      // Blank lines are skipped, as spreadsheet tools and pandas do.
      if (record.length === 1 && record[0]!.trim() === "") continue;
      if (header === undefined) {
        header = record;
        checkHeader(path, header, `line ${line}`);
        indices = selectColumns(path, header, options);
        builders = indices.map((i) => createColumnBuilder(header![i]!, missing, forcedKinds[header![i]!]));
        continue;
      }
      if (record.length !== header.length) {
        throw new DataError(
          `${path}: line ${line}: expected ${header.length} fields as in the header, found ${record.length}; ` +
            `is this a CSV file with "${options.delimiter ?? ","}" between fields?`,
        );
      }
      const where = (): string => `${path}: line ${line}`;
      for (let b = 0; b < builders.length; b++) builders[b]!.push(record[indices[b]!]!, where);
      nRows++;
      if (options.maxRows !== undefined && nRows >= options.maxRows) {
        stoppedEarly = true;
        break;
      }
    }
  } catch (error) {
    parser.destroy();
    const streamError = await done;
    throw describeCsvError(path, streamError instanceof DataError ? streamError : error);
  }
  if (stoppedEarly) parser.destroy();
  const streamError = await done;
  // Leaving the loop early closes the stream before its end, which is no error of the file's.
  if (streamError !== undefined && !stoppedEarly) throw describeCsvError(path, streamError);
  if (header === undefined) throw new DataError(`${path}: file is empty (no header line)`);
  return { header, builders, nRows };
}

/**
 * Loads a CSV file (first line = column names) into a frame. Column kinds
 * are inferred — numeric when every non-missing cell is a number — unless
 * `options.types` forces them.
 *
 * @throws DataError naming the file, the line and the column: missing file,
 * empty file, binary content, a row with the wrong number of fields, a
 * missing needed column, text in a column declared numeric.
 */
export async function loadCsv(path: string, options: LoadOptions = {}): Promise<Frame> {
  await checkReadableFile(path);
  const first = await readColumns(path, options, options.types ?? {});
  if (first.nRows === 0) throw new DataError(`${path}: has a header line but no data rows`);
  const columns: Column[] = first.builders.map((b) => b.finish());
  const reread = first.builders.filter((b) => b.needsRereadAsCategorical).map((b) => b.name);
  if (reread.length > 0) {
    // Text appeared after numbers in these columns: read them again as text.
    const forced = Object.fromEntries(reread.map((name) => [name, "categorical" as const]));
    const second = await readColumns(path, { ...options, columns: reread, types: forced }, forced);
    for (const builder of second.builders) {
      const at = columns.findIndex((c) => c.name === builder.name);
      columns[at] = builder.finish();
    }
  }
  return { nRows: first.nRows, columns };
}
