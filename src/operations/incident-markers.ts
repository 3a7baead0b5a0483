/**
 * Names that tie a rollback to its incident: the deterministic branch (the
 * same on every replica, so a replayed alert never opens a second PR) and
 * the hidden marker line in the PR body that names the incident and the
 * decision that opened it, sealed with the bot's key.
 */
import { createHash } from "node:crypto";
import { normalizeFingerprint } from "../decision/decision-log.js";
import { hasMarkerSeal, markerSeal, markerTrust } from "../github/marker-trust.js";

const INCIDENT_MARKER =
  /<!-- meta-controller:incident fingerprint=(\S+)(?: decision=([A-Za-z0-9_-]{1,200}))?(?: seal=([a-f0-9]{32}))? -->/g;

function sealedFields(encodedFingerprint: string, decisionId: string | undefined): string {
  return `${encodedFingerprint}\n${decisionId ?? ""}`;
}

/**
 * The hidden line a rollback PR carries so its outcome finds the incident
 * and the very decision that opened it (a re-fired incident has several).
 * With the bot's key it is sealed, so a marker someone else wrote or
 * edited is never taken for the bot's.
 */
export function incidentMarker(fingerprint: string, decisionId?: string, key?: string): string {
  const encoded = encodeURIComponent(fingerprint);
  const decision = decisionId === undefined ? "" : ` decision=${decisionId}`;
  const seal =
    key === undefined ? "" : ` seal=${markerSeal(key, "incident", sealedFields(encoded, decisionId))}`;
  return `<!-- meta-controller:incident fingerprint=${encoded}${decision}${seal} -->`;
}

/** What a rollback PR's marker names. */
export interface IncidentMarker {
  /** Cut to the decision log's limit, so the outcome is never refused for its length. */
  readonly fingerprint: string;
  readonly decisionId?: string;
}

/**
 * The incident (and decision) a PR body answers: the first marker sealed
 * under `key`. Unsealed and forged markers are skipped; without a key
 * nothing is trusted. The caller checks that the bot wrote the body.
 */
export function findIncidentMarker(body: string, key: string | undefined): IncidentMarker | undefined {
  if (key === undefined) return undefined;
  for (const match of body.matchAll(INCIDENT_MARKER)) {
    const [, encoded, decisionId, seal] = match;
    if (seal === undefined || !hasMarkerSeal(key, "incident", sealedFields(encoded!, decisionId), seal))
      continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(encoded!);
    } catch {
      continue;
    }
    const fingerprint = normalizeFingerprint(decoded);
    if (fingerprint === undefined) continue;
    return decisionId === undefined ? { fingerprint } : { fingerprint, decisionId };
  }
  return undefined;
}

/**
 * The incident marker of a PR the bot's own user opened, sealed with the
 * process's key; undefined for anyone else's PR, or outside the bot.
 */
export async function findOwnIncidentMarker(pr: {
  readonly author: string | null;
  readonly body: string;
}): Promise<IncidentMarker | undefined> {
  const trust = markerTrust();
  if (trust === undefined || pr.author === null) return undefined;
  if (pr.author !== (await trust.botLogin())) return undefined;
  return findIncidentMarker(pr.body, trust.key);
}

/** Short, stable key of an incident: the rollback branch is named after it. */
export function incidentKey(fingerprint: string, startsAt: string): string {
  return createHash("sha256").update(`${fingerprint}\n${startsAt}`).digest("hex").slice(0, 12);
}

/** Branch of an incident's rollback, the same on every replica. */
export function rollbackBranch(environment: string, fingerprint: string, startsAt: string): string {
  return `meta-controller/rollback/${environment}/${incidentKey(fingerprint, startsAt)}`;
}

/** Branches of the bot's automated rollbacks: `meta-controller/rollback/<env>/<key>`. */
export const AUTOMATED_ROLLBACK_BRANCH = /^meta-controller\/rollback\/([a-z0-9][a-z0-9-]*)\//;
