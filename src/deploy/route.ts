/**
 * Traffic split by weight. With a sticky key the choice is a hash of the key
 * against the weight, so a caller stays on one model for a step, and since
 * canary weights only grow, a caller once on the candidate stays there.
 */

/** Which model serves a request. */
export type ServingRole = "stable" | "candidate";

/** FNV-1a of the key, mapped to a bucket in [0, 100). */
export function computeStickyBucket(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return ((hash >>> 0) % 10_000) / 100;
}

/**
 * Picks the role for one request. `weight` is the candidate's percent;
 * `uniform` is a draw in [0, 1) from the seeded PRNG, used without a key.
 */
export function chooseRole(weight: number, key: string | undefined, uniform: number): ServingRole {
  if (weight <= 0) return "stable";
  if (weight >= 100) return "candidate";
  const bucket = key === undefined ? uniform * 100 : computeStickyBucket(key);
  return bucket < weight ? "candidate" : "stable";
}
