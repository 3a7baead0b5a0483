/**
 * The decision log as local files (the CLI's store, and a single bot
 * process's). The bot replicas keep the same JSONL on the repository's
 * `meta-controller/state` branch, sharded by month; a copy of that folder
 * reads back here as one log. Both use the pure parse/format functions of
 * `decision-log.ts`.
 */
import { open, readdir, readFile, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import { DataError } from "../common/errors.js";
import { parseShardName, sortLogFiles } from "./decision-log-shards.js";
import type { DecisionLogStore } from "./decision-log-store.js";
import {
  formatLogLine,
  parseDecisionLogLenient,
  validateLogRecords,
  type LogRecord,
} from "./decision-log.js";

/** Told about each line a reader skipped: the error names the file, line and reason. */
export type SkippedLineHandler = (error: DataError) => void;

/**
 * Reads and parses a JSONL decision log. A line that is not a valid record
 * (cut short by a crash, hand-edited) is skipped and handed to `onSkipped`:
 * one bad line must not hide every good one.
 */
export async function loadDecisionLogFile(
  path: string,
  onSkipped?: SkippedLineHandler,
): Promise<LogRecord[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new DataError(`${path}: cannot read the decision log (${(error as Error).message})`, {
      cause: error,
    });
  }
  const parsed = parseDecisionLogLenient(text, path);
  for (const error of parsed.skipped) onSkipped?.(error);
  return parsed.records;
}

/**
 * The files a list of `--log` arguments names, in log order: files as
 * given, folders expanded to their `*.jsonl` files; month shards from every
 * argument sorted together by month and part (two checkouts of the state
 * branch, or a folder and one of its shards, read as one log), other files
 * after them in the order given. A file reached twice (through a second
 * argument, a symbolic link) is read once.
 */
export async function listDecisionLogFiles(paths: readonly string[]): Promise<string[]> {
  const named: string[] = [];
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
      named.push(path);
      continue;
    }
    const names = (await readdir(path)).filter((n) => n.endsWith(".jsonl"));
    if (names.length === 0) throw new DataError(`${path}: folder holds no *.jsonl decision log files`);
    named.push(...names.sort().map((n) => join(path, n)));
  }
  const seen = new Set<string>();
  const files: { path: string }[] = [];
  for (const path of named) {
    const real = await realpath(path);
    if (seen.has(real)) continue;
    seen.add(real);
    files.push({ path });
  }
  const shards = sortLogFiles(files.filter((f) => parseShardName(f.path) !== undefined));
  const others = files.filter((f) => parseShardName(f.path) === undefined);
  return [...shards, ...others].map((f) => f.path);
}

/**
 * Reads several files or folders as one log, in the order of
 * {@link listDecisionLogFiles}; bad lines are skipped and handed to `onSkipped`.
 */
export async function loadDecisionLogPaths(
  paths: readonly string[],
  onSkipped?: SkippedLineHandler,
): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  for (const file of await listDecisionLogFiles(paths))
    records.push(...(await loadDecisionLogFile(file, onSkipped)));
  return records;
}

/**
 * Appends records in one write, so a crash leaves either all of them or none
 * on any file system that appends atomically for small writes. When the file
 * does not end with a newline (a writer was killed mid-line), the records
 * start on a new line: glued onto the cut line they would be lost with it.
 */
export async function appendDecisionLogFile(path: string, records: readonly LogRecord[]): Promise<void> {
  if (records.length === 0) return;
  validateLogRecords(records, path);
  const text = records.map(formatLogLine).join("");
  let handle;
  try {
    handle = await open(path, "a+");
  } catch (error) {
    throw new DataError(`${path}: cannot append to the decision log (${(error as Error).message})`, {
      cause: error,
    });
  }
  try {
    const { size } = await handle.stat();
    const last = Buffer.alloc(1);
    if (size > 0) await handle.read(last, 0, 1, size - 1);
    const lead = size > 0 && last[0] !== 0x0a ? "\n" : "";
    // "a+" appends every write at the end, whatever the read position.
    await handle.write(lead + text, null, "utf8");
  } finally {
    await handle.close();
  }
}

/** Options of {@link createFileDecisionLogStore}. */
export interface FileStoreOptions {
  /**
   * Called with each unreadable line. Such a line is always skipped, never
   * fatal (the bot decides on what it can read); this is how it is counted.
   */
  readonly onSkipped?: SkippedLineHandler;
}

/** A store on one local file; a missing file is an empty log. */
export function createFileDecisionLogStore(path: string, options: FileStoreOptions = {}): DecisionLogStore {
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
      const parsed = parseDecisionLogLenient(text, path);
      for (const error of parsed.skipped) options.onSkipped?.(error);
      return parsed.records;
    },
    append: (records) => appendDecisionLogFile(path, records),
  };
}
