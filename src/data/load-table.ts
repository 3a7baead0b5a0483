/** Picks the loader for a data source. */
import type { Frame } from "./frame.js";
import { loadCsv } from "./load-csv.js";
import type { LoadOptions } from "./load-options.js";
import { loadParquet } from "./load-parquet.js";

/** Where a table comes from. */
export interface TableSource {
  readonly type: "csv" | "parquet";
  readonly path: string;
}

/** The loaders by source type, so a new format is one entry here. */
const LOADERS = {
  csv: loadCsv,
  parquet: loadParquet,
} as const satisfies Record<TableSource["type"], (path: string, options: LoadOptions) => Promise<Frame>>;

/**
 * The source of a file an operator named on the command line: Parquet when
 * the name ends in `.parquet` (any case), CSV otherwise, as a pipeline's
 * `data_source.type` would say.
 */
export function tableSourceOf(path: string): TableSource {
  return { type: /\.parquet$/i.test(path) ? "parquet" : "csv", path };
}

/** Loads a table from a CSV or Parquet file. See {@link loadCsv} for the rules and errors. */
export async function loadTable(source: TableSource, options: LoadOptions = {}): Promise<Frame> {
  return LOADERS[source.type](source.path, options);
}
