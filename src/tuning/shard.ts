/**
 * Shards: `i/n` runs only shard i's share of a study so a CI matrix can
 * spread it over runners. A shard's k-th trial is the study's trial number
 * `k·n + (i − 1)` — round-robin, so every shard gets an even share and the
 * numbers of all shards together are exactly the unsharded study's.
 */
import { UsageError } from "../common/errors.js";

/** Which share of a study to run; `index` is 1-based, `1 ≤ index ≤ count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** The whole study as one shard. */
export const wholeStudy: Shard = { index: 1, count: 1 };

/** Parses `i/n` (e.g. `2/4`). Throws a UsageError unless 1 ≤ i ≤ n. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (match === null) {
    throw new UsageError(`--shard must look like i/n (for example 2/4), got "${text}"`);
  }
  const index = Number(match[1]);
  const count = Number(match[2]);
  checkShard({ index, count });
  return { index, count };
}

/** Throws a UsageError unless `1 ≤ index ≤ count` and both are safe integers. */
export function checkShard(shard: Shard): void {
  const { index, count } = shard;
  if (
    !Number.isSafeInteger(index) ||
    !Number.isSafeInteger(count) ||
    count < 1 ||
    index < 1 ||
    index > count
  ) {
    throw new UsageError(`a shard must be i/n with 1 ≤ i ≤ n, got ${index}/${count}`);
  }
}

/** The study-wide number of a shard's k-th trial. */
export function computeTrialNumber(shard: Shard, k: number): number {
  return k * shard.count + (shard.index - 1);
}

/** How many of a study's `total` items (numbered 0 … total − 1) fall to a shard. */
export function countShardShare(shard: Shard, total: number): number {
  return Math.max(0, Math.ceil((total - (shard.index - 1)) / shard.count));
}
