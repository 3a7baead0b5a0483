/**
 * Names that tie a rollback to its incident: the deterministic branch (the
 * same on every replica, so a replayed alert never opens a second PR) and
 * the hidden marker line in the PR body that names the incident and the
 * decision that opened it.
 */
import { createHash } from "node:crypto";
import { normalizeFingerprint } from "../decision/decision-log.js";

const INCIDENT_MARKER =
  /<!-- meta-controller:incident fingerprint=(\S+)(?: decision=([A-Za-z0-9_-]{1,200}))? -->/;

/**
 * The hidden line a rollback PR carries so its outcome finds the incident
 * and the very decision that opened it (a re-fired incident has several).
 */
export function incidentMarker(fingerprint: string, decisionId?: string): string {
  const decision = decisionId === undefined ? "" : ` decision=${decisionId}`;
  return `<!-- meta-controller:incident fingerprint=${encodeURIComponent(fingerprint)}${decision} -->`;
}

/** What a rollback PR's marker names. */
export interface IncidentMarker {
  /** Cut to the decision log's limit, so the outcome is never refused for its length. */
  readonly fingerprint: string;
  readonly decisionId?: string;
}

/** The incident (and decision) a PR body answers, if it carries the marker. */
export function findIncidentMarker(body: string): IncidentMarker | undefined {
  const match = INCIDENT_MARKER.exec(body);
  if (!match) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(match[1]!);
  } catch {
    return undefined;
  }
  const fingerprint = normalizeFingerprint(decoded);
  if (fingerprint === undefined) return undefined;
  return match[2] === undefined ? { fingerprint } : { fingerprint, decisionId: match[2] };
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
