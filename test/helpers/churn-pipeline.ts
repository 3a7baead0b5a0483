/**
 * The example churn data and small pipelines over it, for tests that train
 * through the built CLI in a temporary repository.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const DATA = fileURLToPath(new URL("../../data/customer_data.csv", import.meta.url));

/** The header and the first `rows` data lines of the example data, as lines (no trailing newline). */
export async function readChurnLines(rows: number): Promise<string[]> {
  return (await readFile(DATA, "utf8"))
    .trim()
    .split("\n")
    .slice(0, rows + 1);
}

/** The header and the first `rows` data lines of the example data, as CSV text. */
export async function readChurnCsv(rows: number): Promise<string> {
  return `${(await readChurnLines(rows)).join("\n")}\n`;
}

/** A pipeline reading `data.csv`, with `training` appended under `model_training` (indented lines) and `rest` after it. */
export function churnPipeline(input: {
  name: string;
  modelType: string;
  target?: string;
  numeric: string;
  categorical?: string;
  training?: string;
  rest?: string;
}): string {
  const categorical =
    input.categorical === undefined ? "" : `    categorical_features: [${input.categorical}]\n`;
  return `name: ${input.name}
data_processing:
  data_source: { type: csv, path: data.csv }
  feature_engineering:
    numeric_features: [${input.numeric}]
${categorical}model_training:
  model_type: ${input.modelType}
  target_column: ${input.target ?? "churn"}
${input.training ?? ""}${input.rest ?? ""}`;
}

/** The trial lines of a trials JSONL file (the header line left out). */
export async function readTrialLines<T>(path: string): Promise<(T & { kind: "trial" })[]> {
  return (await readFile(path, "utf8"))
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as T & { kind: string })
    .filter((t): t is T & { kind: "trial" } => t.kind === "trial");
}
