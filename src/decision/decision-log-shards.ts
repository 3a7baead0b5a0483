/**
 * How the decision log is split into files when it lives in a repository:
 * one file per month, `decisions/2026-11.jsonl`, continued in
 * `decisions/2026-11_01.jsonl`, `_02`, … once a file reaches
 * {@link SHARD_BYTES}. Small files keep every read one plain contents-API
 * call (GitHub serves content only up to 1 MB) and every append cheap.
 * Pure: names and sizes in, names out.
 */

/** Folder of the shards on the state branch. */
export const DECISION_LOG_DIR = "decisions";

/**
 * A shard is closed once it holds this many bytes: half the contents API's
 * 1 MB, so appends that raced past the check still leave ample room.
 */
export const SHARD_BYTES = 512 * 1024;

const SHARD_NAME = /(?:^|\/)(\d{4})-(\d{2})(?:_(\d{2,}))?\.jsonl$/;

/** A shard's place in the log: month, then part. */
export interface ShardKey {
  readonly month: string;
  readonly part: number;
}

/** The shard key of a file name, or undefined when it is not a shard. */
export function parseShardName(path: string): ShardKey | undefined {
  const m = SHARD_NAME.exec(path);
  if (!m) return undefined;
  return { month: `${m[1]}-${m[2]}`, part: m[3] === undefined ? 0 : Number(m[3]) };
}

/** The path of a shard. */
export function buildShardPath(key: ShardKey, dir = DECISION_LOG_DIR): string {
  const part = key.part === 0 ? "" : `_${String(key.part).padStart(2, "0")}`;
  return `${dir.replace(/\/+$/, "")}/${key.month}${part}.jsonl`;
}

function compareKeys(a: ShardKey, b: ShardKey): number {
  return a.month < b.month ? -1 : a.month > b.month ? 1 : a.part - b.part;
}

/**
 * Orders log files as the log runs: shards by month and part, then any
 * other `.jsonl` files by name (a hand-made export, say). Names sort this
 * way on their own only up to part 9; the order must hold past it.
 */
export function sortLogFiles<T extends { readonly path: string }>(files: readonly T[]): T[] {
  return [...files].sort((a, b) => {
    const ka = parseShardName(a.path);
    const kb = parseShardName(b.path);
    if (ka && kb) return compareKeys(ka, kb) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
    if (ka) return -1;
    if (kb) return 1;
    return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
  });
}

/**
 * The shard the next `bytes` go to at `now`: this month's last part, or a
 * new part when that one would pass {@link SHARD_BYTES}.
 */
export function chooseShard(
  existing: readonly { readonly path: string; readonly size: number }[],
  now: Date,
  bytes: number,
  dir = DECISION_LOG_DIR,
): string {
  const month = now.toISOString().slice(0, 7);
  let last: { key: ShardKey; size: number } | undefined;
  for (const file of existing) {
    const key = parseShardName(file.path);
    if (key?.month !== month) continue;
    if (last === undefined || key.part > last.key.part) last = { key, size: file.size };
  }
  if (last === undefined) return buildShardPath({ month, part: 0 }, dir);
  if (last.size > 0 && last.size + bytes > SHARD_BYTES)
    return buildShardPath({ month, part: last.key.part + 1 }, dir);
  return buildShardPath(last.key, dir);
}
