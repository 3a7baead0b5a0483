/**
 * SHA-256 of a data file, streamed so a large CSV or Parquet file is never
 * held in memory: the model card pins every data file by content.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { describeFileError } from "./fs-port.js";

/** Hex SHA-256 of the file at `path` (the form `data_files[].sha256` takes). */
export async function computeFileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (error) {
    throw describeFileError(error, "read", path);
  }
  return hash.digest("hex");
}
