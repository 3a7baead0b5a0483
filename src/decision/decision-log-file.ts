/**
 * The decision log as local files (the CLI's store, and a single bot
 * process's). The bot replicas keep the same JSONL on the repository's
 * `meta-controller/state` branch, sharded by month; a copy of that folder
 * reads back here as one log. Both use the pure parse/format functions of
 * `decision-log.ts`.
 */
import { appendFile, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { DataError } from "../common/errors.js";
import { sortLogFiles } from "./decision-log-shards.js";
import type { DecisionLogStore } from "./decision-log-store.js";
import { formatLogLine, parseDecisionLog, validateLogRecords, type LogRecord } from "./decision-log.js";

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
 * The files a list of `--log` arguments names: files as given, folders
 * expanded to their `*.jsonl` files in log order (month shards by month
 * and part). Files named twice are read once.
 */
export async function listDecisionLogFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    let isDir: boolean;
    try {
      isDir = (await stat(path)).isDirectory();
    } catch (error) {
      throw new DataError(`${path}: cannot read the decision log (${(error as Error).message})`, {
        cause: error,
      });
    }
    if (!isDir) {
      files.push(path);
      continue;
    }
    const names = (await readdir(path)).filter((n) => n.endsWith(".jsonl"));
    if (names.length === 0) throw new DataError(`${path}: folder holds no *.jsonl decision log files`);
    files.push(...sortLogFiles(names.map((n) => ({ path: join(path, n) }))).map((f) => f.path));
  }
  return [...new Set(files)];
}

/** Reads several files or folders as one log, in the order given (folders in log order). */
export async function loadDecisionLogPaths(paths: readonly string[]): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  for (const file of await listDecisionLogFiles(paths)) records.push(...(await loadDecisionLogFile(file)));
  return records;
}

/**
 * Appends records in one write, so a crash leaves either all of them or none
 * on any file system that appends atomically for small writes.
 */
export async function appendDecisionLogFile(path: string, records: readonly LogRecord[]): Promise<void> {
  if (records.length === 0) return;
  validateLogRecords(records, path);
  await appendFile(path, records.map(formatLogLine).join(""), "utf8");
}

/** A store on one local file; a missing file is an empty log. */
export function createFileDecisionLogStore(path: string): DecisionLogStore {
  return {
    name: path,
    async load() {
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw new DataError(`${path}: cannot read the decision log (${(error as Error).message})`, {
          cause: error,
        });
      }
      return parseDecisionLog(text, path);
    },
    append: (records) => appendDecisionLogFile(path, records),
  };
}
