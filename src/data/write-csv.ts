/**
 * Writes rows of a frame as CSV, the way a user's own training script
 * expects to read them: a header, missing values as empty fields, text
 * quoted when it holds a comma, a quote or a line break.
 */
import { createWriteStream } from "node:fs";
import type { Frame } from "./frame.js";

function quote(text: string): string {
  return /[",\r\n]/.test(text) || text.trim() !== text ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Renders one cell. Numbers use JavaScript's shortest round-trip form. */
function cell(frame: Frame, column: number, row: number): string {
  const c = frame.columns[column]!;
  if (c.kind === "numeric") {
    const v = c.values[row]!;
    return Number.isNaN(v) ? "" : String(v);
  }
  const code = c.codes[row]!;
  return code < 0 ? "" : quote(c.dictionary[code]!);
}

/** Writes `rows` of `frame` (every column, in order) to `path`. */
export async function writeFrameCsv(path: string, frame: Frame, rows: Int32Array): Promise<void> {
  const out = createWriteStream(path);
  const finished = new Promise<void>((resolve, reject) => {
    out.on("finish", resolve);
    out.on("error", reject);
  });
  out.write(`${frame.columns.map((c) => quote(c.name)).join(",")}\n`);
  const width = frame.columns.length;
  let chunk = "";
  for (const row of rows) {
    for (let j = 0; j < width; j++) chunk += (j ? "," : "") + cell(frame, j, row);
    chunk += "\n";
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
      chunk = "";
    }
  }
  out.end(chunk);
  await finished;
}
