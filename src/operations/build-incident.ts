/**
 * Builds the incident the policy decides on from an alert notice and the
 * environment file: which digest is bad, whether a stable is there to go
 * back to, how long since the last deploy, how often it fired.
 */
import { Incident, type EvidenceItem } from "../decision/incident.js";
import { digestOfRef, readEnvironmentRefs } from "../deploy/environment-edits.js";
import type { AlertNotice } from "./alert-notice.js";
import type { DesiredState, EnvironmentFile } from "./desired-state.js";
import type { IncidentMemory } from "./incident-memory.js";
import { findLastGood, LAST_GOOD_HISTORY_LIMIT } from "./last-good.js";

/** Evidence items with unique ids, the alert name first, at most 200. */
function uniqueEvidence(notice: AlertNotice): EvidenceItem[] {
  const seen = new Set<string>();
  const items: EvidenceItem[] = [];
  for (const item of notice.evidence) {
    let id = item.id;
    for (let n = 2; seen.has(id); n++) id = `${item.id.slice(0, 60)}~${n}`;
    seen.add(id);
    items.push({ ...item, id });
  }
  if (notice.truncated > 0) {
    items.push({
      id: "truncated",
      kind: "annotation",
      text: `${notice.truncated} more alerts of this group were truncated by the sender`,
    });
  }
  items.unshift({ id: "alertname", kind: "label", text: notice.alertName.slice(0, 200) });
  return items.slice(0, 200);
}

/** An ISO time from outside text, or `fallback` when it does not parse. */
export function toIso(text: string, fallback: Date): string {
  const t = Date.parse(text);
  return Number.isFinite(t) ? new Date(t).toISOString() : fallback.toISOString();
}

/**
 * Seconds since the model at fault went out: the oldest commit of the
 * newest run of file versions that name `bad` (as stable or candidate). A
 * stable that served for a month is not "just deployed" because a canary
 * started beside it. Without a digest to look for, or when the file no
 * longer names it, the newest commit of the file (the last deploy, promote
 * or rollback).
 */
async function secondsSinceDeploy(
  state: DesiredState,
  env: EnvironmentFile,
  bad: string | undefined,
  now: Date,
): Promise<number | null> {
  const history = await state.history(env.path, LAST_GOOD_HISTORY_LIMIT);
  let deployed = history[0]?.date;
  if (bad !== undefined) {
    for (const [index, commit] of history.entries()) {
      const text = index === 0 ? env.text : (await state.read(env.path, commit.commit))?.text;
      if (text === undefined || !namesDigest(env.path, text, bad)) break;
      deployed = commit.date;
    }
  }
  const at = deployed === undefined ? Number.NaN : Date.parse(deployed);
  return Number.isFinite(at) ? Math.max(0, (now.getTime() - at) / 1000) : null;
}

/** Whether a version of the file names `digest` as its stable or candidate; false when it does not parse. */
function namesDigest(path: string, text: string, digest: string): boolean {
  try {
    const refs = readEnvironmentRefs(path, text);
    return digestOfRef(refs.stable) === digest || digestOfRef(refs.candidate) === digest;
  } catch {
    return false;
  }
}

/** The incident, and the last good stable when the bad digest is the stable itself. */
export async function buildIncident(
  state: DesiredState,
  env: EnvironmentFile,
  notice: AlertNotice,
  memory: IncidentMemory,
  now: Date,
): Promise<{ incident: Incident; lastGood: string | null | undefined }> {
  const stable = digestOfRef(env.spec.stable) ?? null;
  const candidate = digestOfRef(env.spec.candidate) ?? null;
  const bad = notice.badDigest ?? candidate ?? stable;
  let stableAvailable = stable !== null && stable !== bad;
  let lastGood: string | null | undefined;
  if (!stableAvailable && bad !== null && bad === stable) {
    lastGood = await findLastGood(state, env, bad);
    stableAvailable = lastGood !== null;
  }
  const incident = Incident.parse({
    environment: env.name,
    model: notice.model ?? env.spec.model,
    kind: notice.kind,
    severity: notice.severity,
    fingerprint: notice.fingerprint.slice(0, 200),
    started_at: toIso(notice.startsAt, now),
    evidence: uniqueEvidence(notice),
    seconds_since_deploy: await secondsSinceDeploy(state, env, notice.badDigest, now),
    canary_state: notice.kind === "rollout_aborted" ? "aborted" : candidate ? "progressing" : "none",
    stable_available: stableAvailable,
    flap_count: memory.countFiring(notice.fingerprint, now.getTime()),
    // `stable` is the rollback target: when the stable itself is bad, that is
    // the last good one from the file's history.
    digests: {
      serving: bad,
      stable: bad !== null && bad === stable ? (digestOfRef(lastGood) ?? null) : stable,
      candidate,
      ...(notice.badDigest === undefined ? {} : { at_fault: notice.badDigest }),
    },
  });
  return { incident, lastGood };
}
