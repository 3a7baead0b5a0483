/**
 * The alert journal: every accepted notice is appended and fsync'd to a
 * file in the bot's state directory before the sender hears `202`, and
 * marked done once handled. On start the bot replays what is not done, so
 * a crash between the answer and the pull request loses nothing. The
 * journal also carries the duplicate-detection keys, so a notice seen
 * before a restart is still a duplicate after it.
 *
 * One directory per process: a lock file names the owner, and a second
 * live process on the same directory is refused.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { fsync, write } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { UsageError } from "../common/errors.js";
import type { AlertNotice } from "../operations/alert-notice.js";

const writeAsync = promisify(write);
const fsyncAsync = promisify(fsync);

/** One accepted notice. */
export interface JournalEntry {
  /** Unique within the journal. */
  readonly id: string;
  /** Duplicate-detection key (fingerprint, start, status). */
  readonly key: string;
  /** When it was accepted, ms since the epoch. */
  readonly at: number;
  readonly notice: AlertNotice;
}

/** Settings of {@link openAlertJournal}. */
export interface AlertJournalOptions {
  /** Keys kept for duplicate detection, newest first. Default 10 000. */
  readonly seenCapacity?: number;
  /** How long a key counts as seen, ms. Default 24 h. */
  readonly seenTtlMs?: number;
  /** Done marks written before the file is rewritten without them. Default 500. */
  readonly compactEvery?: number;
  readonly nowMs?: () => number;
}

/** The open journal. */
export interface AlertJournal {
  readonly dir: string;
  /** Entries an earlier process accepted and did not finish, in order. */
  readonly unfinished: readonly JournalEntry[];
  /** Keys accepted within the window, with when (ms), oldest first. */
  readonly seen: readonly (readonly [string, number])[];
  /** Appends the entries and waits until they are on disk. */
  append(entries: readonly JournalEntry[]): Promise<void>;
  /** Marks an entry handled; the file is compacted now and then. */
  markDone(id: string): Promise<void>;
  close(): void;
}

type Line =
  | {
      readonly t: "add";
      readonly id: string;
      readonly key: string;
      readonly at: number;
      readonly notice: AlertNotice;
    }
  | { readonly t: "done"; readonly id: string }
  | { readonly t: "seen"; readonly key: string; readonly at: number };

const JOURNAL = "alerts.jsonl";
const LOCK = "lock";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the directory's lock, or takes it over from a process that died. */
function takeLock(dir: string): void {
  const path = join(dir, LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      fsyncSync(fd);
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readFileSync(path, "utf8").trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new UsageError(
          `BOT_STATE_DIR=${dir} is in use by process ${owner}; every bot replica needs its own state directory`,
        );
      }
      // The owner died (killed, crashed): its journal is ours to replay.
      unlinkSync(path);
    }
  }
  throw new UsageError(`could not lock BOT_STATE_DIR=${dir}`);
}

/** Reads the journal; a torn last line (a crash mid-write, never acknowledged) is skipped. */
function readLines(path: string): Line[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const lines: Line[] = [];
  for (const raw of text.split("\n")) {
    if (raw.trim() === "") continue;
    try {
      lines.push(JSON.parse(raw) as Line);
    } catch {
      // Only an unacknowledged, half-written line can fail to parse.
    }
  }
  return lines;
}

/** Writes `lines` to a new file and renames it over the journal, so a crash leaves one or the other. */
function rewrite(dir: string, lines: readonly Line[]): void {
  const tmp = join(dir, `${JOURNAL}.tmp`);
  writeFileSync(tmp, lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
  const fd = openSync(tmp, "r+");
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, join(dir, JOURNAL));
  const dirFd = openSync(dir, "r");
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/** In-memory view of the journal: what is open and which keys were seen. */
interface JournalState {
  readonly open: Map<string, JournalEntry>;
  readonly seen: Map<string, number>;
}

function boundSeen(seen: Map<string, number>, capacity: number, ttlMs: number, nowMs: number): void {
  for (const [key, at] of seen) if (nowMs - at >= ttlMs) seen.delete(key);
  while (seen.size > capacity) {
    const oldest = seen.keys().next().value;
    if (oldest === undefined) break;
    seen.delete(oldest);
  }
}

function replayLines(lines: readonly Line[]): JournalState {
  const open = new Map<string, JournalEntry>();
  const seen = new Map<string, number>();
  for (const line of lines) {
    if (line.t === "add") {
      open.set(line.id, { id: line.id, key: line.key, at: line.at, notice: line.notice });
      seen.delete(line.key);
      seen.set(line.key, line.at);
    } else if (line.t === "done") {
      open.delete(line.id);
    } else if (line.t === "seen") {
      seen.delete(line.key);
      seen.set(line.key, line.at);
    }
  }
  return { open, seen };
}

function compactLines(state: JournalState): Line[] {
  const lines: Line[] = [];
  for (const [key, at] of state.seen) lines.push({ t: "seen", key, at });
  for (const e of state.open.values()) lines.push({ t: "add", ...e });
  return lines;
}

/** Opens (creating) the journal in `dir`, replays it and compacts it. */
export function openAlertJournal(dir: string, options: AlertJournalOptions = {}): AlertJournal {
  const capacity = options.seenCapacity ?? 10_000;
  const ttlMs = options.seenTtlMs ?? 24 * 3600_000;
  const compactEvery = options.compactEvery ?? 500;
  const nowMs = options.nowMs ?? Date.now;
  mkdirSync(dir, { recursive: true });
  takeLock(dir);
  const path = join(dir, JOURNAL);
  const state = replayLines(readLines(path));
  boundSeen(state.seen, capacity, ttlMs, nowMs());
  const unfinished = [...state.open.values()];
  const seen = [...state.seen.entries()] as const;
  rewrite(dir, compactLines(state));
  let fd = openSync(path, "a");
  let doneSinceCompaction = 0;
  // One write at a time, so lines never interleave and compaction sees a quiet file.
  let tail: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = tail.then(work, work);
    tail = next.catch(() => undefined);
    return next;
  };
  const writeLines = async (lines: readonly Line[]) => {
    await writeAsync(fd, lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
    await fsyncAsync(fd);
  };
  return {
    dir,
    unfinished,
    seen,
    append(entries) {
      if (entries.length === 0) return Promise.resolve();
      for (const e of entries) {
        state.open.set(e.id, e);
        state.seen.delete(e.key);
        state.seen.set(e.key, e.at);
      }
      return serial(() => writeLines(entries.map((e) => ({ t: "add" as const, ...e })))).catch(
        (error: unknown) => {
          // Not on disk, so not acknowledged: the sender retries, and must not meet a duplicate.
          for (const e of entries) {
            state.open.delete(e.id);
            state.seen.delete(e.key);
          }
          throw error;
        },
      );
    },
    markDone(id) {
      state.open.delete(id);
      return serial(async () => {
        await writeLines([{ t: "done", id }]);
        if (++doneSinceCompaction < compactEvery) return;
        doneSinceCompaction = 0;
        boundSeen(state.seen, capacity, ttlMs, nowMs());
        closeSync(fd);
        rewrite(dir, compactLines(state));
        fd = openSync(path, "a");
      });
    },
    close() {
      closeSync(fd);
      try {
        unlinkSync(join(dir, LOCK));
      } catch {
        // Already gone: nothing to release.
      }
    },
  };
}
