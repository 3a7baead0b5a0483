/**
 * The decision log as a local file (the CLI's store). The bot keeps the same
 * JSONL on the repository's `meta-controller/state` branch through GitHub;
 * both use the pure parse/format functions of `decision-log.ts`.
 */
import { appendFile, readFile } from "node:fs/promises";
import { DataError } from "../common/errors.js";
import { formatLogLine, parseDecisionLog, type LogRecord } from "./decision-log.js";

/** Reads and parses a JSONL decision log. */
export async function loadDecisionLogFile(path: string): Promise<LogRecord[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new DataError(`${path}: cannot read the decision log (${(error as Error).message})`, {
      cause: error,
    });
  }
  return parseDecisionLog(text, path);
}

/**
 * Appends records in one write, so a crash leaves either all of them or none
 * on any file system that appends atomically for small writes.
 */
export async function appendDecisionLogFile(path: string, records: readonly LogRecord[]): Promise<void> {
  if (records.length === 0) return;
  await appendFile(path, records.map(formatLogLine).join(""), "utf8");
}
