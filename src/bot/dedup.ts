/**
 * Drops notices already seen. Alertmanager in HA mode sends each
 * notification from every peer, and repeats it at `repeat_interval`; the
 * key is fingerprint + start + status. The keys are kept in the alert
 * journal too (see `alert-journal.ts`), so they survive a restart; across
 * replicas the deterministic branch name does the same job.
 */

/** A bounded set of keys seen within a time window. */
export interface SeenKeys {
  /** True the first time a key is offered within the window. */
  firstSeen(key: string, nowMs: number): boolean;
  /** Forgets a key whose notice could not be kept, so the sender's retry is not a duplicate. */
  forget(key: string): void;
}

/**
 * Creates the set, starting from `initial` (key, ms; oldest first); the
 * oldest keys are forgotten past `capacity` or `ttlMs`.
 */
export function createSeenKeys(
  ttlMs = 24 * 3600_000,
  capacity = 10_000,
  initial: readonly (readonly [string, number])[] = [],
): SeenKeys {
  const seen = new Map<string, number>(initial);
  return {
    firstSeen(key, nowMs) {
      const at = seen.get(key);
      if (at !== undefined && nowMs - at < ttlMs) return false;
      seen.delete(key);
      seen.set(key, nowMs);
      while (seen.size > capacity) {
        const oldest = seen.keys().next().value;
        if (oldest === undefined) break;
        seen.delete(oldest);
      }
      return true;
    },
    forget(key) {
      seen.delete(key);
    },
  };
}
