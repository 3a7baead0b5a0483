/**
 * What this process remembers about incidents: the latest ones per
 * environment (for `/diagnose`), how often a fingerprint fired (flapping),
 * and outcomes. Bot replicas stay stateless for correctness — the
 * repository and the branch names carry what must be shared — so losing
 * this on restart only loses context for diagnoses.
 */
import { appendFile } from "node:fs/promises";
import type { Incident } from "../decision/incident.js";
import type { PolicyDecision } from "../decision/incident-policy.js";

/** An incident and what was done about it. */
export interface RememberedIncident {
  readonly repository: string;
  readonly incident: Incident;
  readonly decision: PolicyDecision;
  /** URL of the PR or comment the action produced. */
  readonly link: string | undefined;
}

/** An outcome: the alert resolved. */
export interface IncidentOutcome {
  readonly repository: string;
  readonly environment: string;
  readonly fingerprint: string;
  readonly started_at: string;
  readonly resolved_at: string;
  readonly action: string | null;
  readonly reason_code: string | null;
}

/** Where outcomes go (the decision log once it exists). */
export type OutcomeSink = (outcome: IncidentOutcome) => Promise<void>;

/** An outcome sink appending JSON lines to a file. */
export function createJsonlOutcomeSink(path: string): OutcomeSink {
  return (outcome) => appendFile(path, `${JSON.stringify(outcome)}\n`);
}

/** The memory. */
export interface IncidentMemory {
  remember(entry: RememberedIncident): void;
  latest(repository: string, environment: string): RememberedIncident | undefined;
  find(repository: string, fingerprint: string, startedAt: string): RememberedIncident | undefined;
  /** Counts a firing of a fingerprint; returns the firings within the last day. */
  countFiring(fingerprint: string, nowMs: number): number;
}

/** Creates an empty memory holding at most `capacity` incidents. */
export function createIncidentMemory(capacity = 500): IncidentMemory {
  const entries: RememberedIncident[] = [];
  const firings = new Map<string, number[]>();
  const DAY = 24 * 3600_000;
  return {
    remember(entry) {
      entries.push(entry);
      if (entries.length > capacity) entries.shift();
    },
    latest(repository, environment) {
      for (let i = entries.length - 1; i >= 0; i--) {
        const e = entries[i]!;
        if (e.repository === repository && e.incident.environment === environment) return e;
      }
      return undefined;
    },
    find(repository, fingerprint, startedAt) {
      return entries.find(
        (e) =>
          e.repository === repository &&
          e.incident.fingerprint === fingerprint &&
          e.incident.started_at === startedAt,
      );
    },
    countFiring(fingerprint, nowMs) {
      const recent = (firings.get(fingerprint) ?? []).filter((t) => nowMs - t < DAY);
      recent.push(nowMs);
      firings.set(fingerprint, recent);
      if (firings.size > 10_000) firings.delete(firings.keys().next().value!);
      return recent.length - 1;
    },
  };
}
