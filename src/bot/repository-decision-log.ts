/**
 * The decision log on the repository's state branch: JSONL shards under
 * `decisions/` (see `decision-log-shards.ts`), read and appended through the
 * {@link StateBranch} port. Replicas keep nothing of their own; a cache of
 * parsed shards keyed by blob sha only saves re-reading what has not changed.
 */
import {
  chooseShard,
  DECISION_LOG_DIR,
  parseShardName,
  sortLogFiles,
} from "../decision/decision-log-shards.js";
import type { DecisionLogStore } from "../decision/decision-log-store.js";
import {
  formatLogLine,
  parseDecisionLogLenient,
  validateLogRecords,
  type LogRecord,
} from "../decision/decision-log.js";
import type { Logger } from "../common/logger.js";
import type { StateBranch } from "../github/ports.js";

/** Parsed shards by path, each with the blob sha it was parsed from and the lines skipped. */
export type ShardCache = Map<
  string,
  { readonly sha: string; readonly records: readonly LogRecord[]; readonly skipped: number }
>;

/** What the stores of one repository share inside a process. */
export interface RepositoryLogShared {
  readonly cache: ShardCache;
  /**
   * Appends of one process go one at a time: racing its own requests would
   * only make them lose to each other on the sha. Other replicas are still
   * handled by the retry.
   */
  tail: Promise<unknown>;
  /** Unreadable lines skipped by the last load, over all shards. */
  skippedLines: number;
  /** Records appended and not yet committed: readers see them, so a decision is in the log the moment it is made. */
  readonly pending: LogRecord[];
  /** Holders keeping writes back (an incident's action is being written); writes wait until none is left. */
  holds: number;
  readonly unheld: (() => void)[];
  /**
   * Per log folder, the batch still taking records: appends made while the
   * log is held or another commit is going out join it, and go out as one
   * commit (one write instead of one per record).
   */
  readonly openBatches: Map<string, { readonly records: LogRecord[]; readonly written: Promise<void> }>;
}

/** Fresh shared state for one repository. */
export function createRepositoryLogShared(): RepositoryLogShared {
  return {
    cache: new Map(),
    tail: Promise.resolve(),
    skippedLines: 0,
    pending: [],
    holds: 0,
    unheld: [],
    openBatches: new Map(),
  };
}

/** Longest a hold keeps the log's writes back. */
const HOLD_LIMIT_MS = 60_000;

/**
 * Holds the repository's log writes back until the returned function is
 * called, so the writes of an action (a rollback PR) go to GitHub first;
 * appends made meanwhile are visible to readers at once.
 */
export function holdLogWrites(shared: RepositoryLogShared, maxMs = HOLD_LIMIT_MS): () => void {
  shared.holds++;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    clearTimeout(timer);
    if (--shared.holds > 0) return;
    for (const resolve of shared.unheld.splice(0)) resolve();
  };
  // A holder that never lets go (a hung request) must not keep the log from being written for good.
  const timer = setTimeout(release, maxMs);
  timer.unref();
  return release;
}

/** Resolves when no hold is left. */
export function untilUnheld(shared: RepositoryLogShared): Promise<void> {
  if (shared.holds === 0) return Promise.resolve();
  return new Promise((resolve) => shared.unheld.push(resolve));
}

function describe(records: readonly LogRecord[]): string {
  const first = records[0];
  if (first === undefined) return "nothing";
  const what = first.type === "decision" ? `${first.action} on ${first.environment}` : first.event;
  return `${first.type} ${what} (${first.fingerprint.slice(0, 40)})${records.length > 1 ? ` and ${records.length - 1} more` : ""}`;
}

/**
 * A decision log store on a state branch. A line that does not parse is
 * skipped, logged with its shard and line, and counted in
 * `shared.skippedLines`: the engine decides on what it can read rather than
 * not at all.
 */
export function createRepositoryDecisionLog(
  state: StateBranch,
  shared: RepositoryLogShared = createRepositoryLogShared(),
  dir = DECISION_LOG_DIR,
  log?: Logger,
): DecisionLogStore {
  const { cache } = shared;
  return {
    name: `${state.branch}:${dir}/`,
    async load() {
      const shards = sortLogFiles(
        (await state.list(dir)).filter((e) => parseShardName(e.path) !== undefined),
      );
      const records: LogRecord[] = [];
      let skipped = 0;
      for (const entry of shards) {
        let cached = cache.get(entry.path);
        if (cached?.sha !== entry.sha) {
          const file = await state.read(entry.path);
          if (file === undefined) continue;
          const parsed = parseDecisionLogLenient(file.text, `${state.branch}:${entry.path}`);
          for (const error of parsed.skipped)
            log?.warn({ err: error }, "skipped an unreadable decision log line");
          cached = { sha: file.sha, records: parsed.records, skipped: parsed.skipped.length };
          cache.set(entry.path, cached);
        }
        records.push(...cached.records);
        skipped += cached.skipped;
      }
      shared.skippedLines = skipped;
      return [...records, ...shared.pending];
    },
    append(records, at) {
      if (records.length === 0) return Promise.resolve();
      try {
        validateLogRecords(records, `${state.branch}:${dir}/`);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      shared.pending.push(...records);
      const open = shared.openBatches.get(dir);
      if (open !== undefined) {
        open.records.push(...records);
        return open.written;
      }
      const batch: LogRecord[] = [...records];
      const run = async (): Promise<void> => {
        await untilUnheld(shared);
        // Closed from here on: what is appended while this commit goes out starts the next batch.
        shared.openBatches.delete(dir);
        const text = batch.map(formatLogLine).join("");
        const bytes = Buffer.byteLength(text, "utf8");
        // Listed again on every attempt, so a retry follows a part another writer started meanwhile.
        const choose = async (): Promise<string> => chooseShard(await state.list(dir), at, bytes, dir);
        try {
          await state.append(choose, text, `Decision log: ${describe(batch)}`);
        } finally {
          // Committed (now read from the branch) or failed (the outbox keeps them): no longer pending.
          for (const r of batch) {
            const index = shared.pending.indexOf(r);
            if (index >= 0) shared.pending.splice(index, 1);
          }
        }
      };
      const written = shared.tail.then(run, run);
      shared.openBatches.set(dir, { records: batch, written });
      shared.tail = written.catch(() => undefined);
      return written;
    },
  };
}
