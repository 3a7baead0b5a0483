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
import { formatLogLine, parseDecisionLog, type LogRecord } from "../decision/decision-log.js";
import type { StateBranch } from "../github/ports.js";

/** Parsed shards by path, each with the blob sha it was parsed from. */
export type ShardCache = Map<string, { readonly sha: string; readonly records: readonly LogRecord[] }>;

/** What the stores of one repository share inside a process. */
export interface RepositoryLogShared {
  readonly cache: ShardCache;
  /**
   * Appends of one process go one at a time: racing its own requests would
   * only make them lose to each other on the sha. Other replicas are still
   * handled by the retry.
   */
  tail: Promise<unknown>;
}

/** Fresh shared state for one repository. */
export function createRepositoryLogShared(): RepositoryLogShared {
  return { cache: new Map(), tail: Promise.resolve() };
}

function describe(records: readonly LogRecord[]): string {
  const first = records[0];
  if (first === undefined) return "nothing";
  const what = first.type === "decision" ? `${first.action} on ${first.environment}` : first.event;
  return `${first.type} ${what} (${first.fingerprint.slice(0, 40)})${records.length > 1 ? ` and ${records.length - 1} more` : ""}`;
}

/** A decision log store on a state branch. */
export function createRepositoryDecisionLog(
  state: StateBranch,
  shared: RepositoryLogShared = createRepositoryLogShared(),
  dir = DECISION_LOG_DIR,
): DecisionLogStore {
  const { cache } = shared;
  return {
    name: `${state.branch}:${dir}/`,
    async load() {
      const shards = sortLogFiles(
        (await state.list(dir)).filter((e) => parseShardName(e.path) !== undefined),
      );
      const records: LogRecord[] = [];
      for (const entry of shards) {
        let cached = cache.get(entry.path);
        if (cached?.sha !== entry.sha) {
          const file = await state.read(entry.path);
          if (file === undefined) continue;
          cached = { sha: file.sha, records: parseDecisionLog(file.text, `${state.branch}:${entry.path}`) };
          cache.set(entry.path, cached);
        }
        records.push(...cached.records);
      }
      return records;
    },
    append(records, at) {
      if (records.length === 0) return Promise.resolve();
      const text = records.map(formatLogLine).join("");
      const run = async (): Promise<void> => {
        const path = chooseShard(await state.list(dir), at, Buffer.byteLength(text, "utf8"), dir);
        await state.append(path, text, `Decision log: ${describe(records)}`);
      };
      const next = shared.tail.then(run, run);
      shared.tail = next.catch(() => undefined);
      return next;
    },
  };
}
