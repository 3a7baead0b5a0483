/**
 * Who may write the hidden markers the bot acts on. The markers the bot
 * writes itself (incident markers in rollback PR bodies, sticky markers of
 * its comments) carry an HMAC under a key only the bot has, and are read
 * only from PR bodies and comments of the app's own bot user; anyone who
 * can edit a PR body or comment can copy text, but not forge a seal for
 * other values.
 *
 * The key is process-wide, set once when the bot starts: alert work builds
 * its GitHub ports far from the bot's settings, and every writer and reader
 * of a marker must agree on the one key.
 */
import { createHmac } from "node:crypto";
import { safeEqual } from "../common/http/constant-time.js";

/** What the bot trusts its own markers by. */
export interface MarkerTrust {
  /** HMAC-SHA256 key of the markers the bot writes. */
  readonly key: string;
  /** Login of the app's bot user (`<slug>[bot]`); undefined when it cannot be learnt. */
  botLogin(): Promise<string | undefined>;
}

let current: MarkerTrust | undefined;

/** Sets (or, with undefined, clears) the process's marker trust. */
export function setMarkerTrust(trust: MarkerTrust | undefined): void {
  current = trust;
}

/** The process's marker trust; undefined outside the bot (markers are then written unsealed and never trusted). */
export function markerTrust(): MarkerTrust | undefined {
  return current;
}

/**
 * The marker key: `MARKER_SECRET` when set, else one derived from the
 * webhook secret (so every replica of one app agrees without more setup).
 */
export function deriveMarkerKey(markerSecret: string | undefined, webhookSecret: string): string {
  if (markerSecret) return markerSecret;
  return createHmac("sha256", webhookSecret).update("meta-controller marker key v1").digest("hex");
}

/** The seal of a marker: hex HMAC-SHA256 of its kind and fields, cut to 32 characters. */
export function markerSeal(key: string, kind: string, fields: string): string {
  return createHmac("sha256", key).update(`${kind}\n${fields}`).digest("hex").slice(0, 32);
}

/** Whether `seal` is the seal of `kind` and `fields` under `key` (constant time). */
export function hasMarkerSeal(key: string, kind: string, fields: string, seal: string): boolean {
  return safeEqual(seal, markerSeal(key, kind, fields));
}
