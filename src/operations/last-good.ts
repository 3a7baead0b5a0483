/**
 * The rollback target: the newest earlier `stable` of an environment file
 * that is neither the bad digest nor quarantined, read from the file's
 * history. One copy for the bot, the CLI and the library.
 */
import { digestOfRef, readEnvironmentRefs } from "../deploy/environment-edits.js";
import type { DesiredState, EnvironmentFile } from "./desired-state.js";

/** Commits of the file's history looked at, at most. */
export const LAST_GOOD_HISTORY_LIMIT = 10;

/** The last good stable reference, or null when the history holds none. */
export async function findLastGood(
  state: DesiredState,
  env: EnvironmentFile,
  badDigest: string,
  limit = LAST_GOOD_HISTORY_LIMIT,
): Promise<string | null> {
  const avoid = new Set([...env.spec.quarantine, badDigest]);
  for (const commit of await state.history(env.path, limit)) {
    const file = await state.read(env.path, commit.commit);
    if (!file) continue;
    let stable: string | null;
    try {
      stable = readEnvironmentRefs(env.path, file.text).stable;
    } catch {
      // An old version that no longer parses cannot be a target.
      continue;
    }
    const digest = digestOfRef(stable);
    if (stable && digest && !avoid.has(digest)) return stable;
  }
  return null;
}
