/** Builders of incidents for the decision tests. */
import type { EvidenceItem, Incident } from "../../src/decision/incident.js";

/** Digest of the stable model in test incidents. */
export const STABLE = `sha256:${"1".repeat(64)}`;
/** Digest of the candidate model in test incidents. */
export const CANDIDATE = `sha256:${"2".repeat(64)}`;

/** A critical error-rate incident ten minutes after a deploy, with `overrides` applied. */
export function makeIncident(overrides: Partial<Incident> = {}): Incident {
  const evidence: EvidenceItem[] = [
    { id: "m1", kind: "metric", text: "error rate 5m", metric: "error_rate", value: 0.2, threshold: 0.05 },
    { id: "a1", kind: "annotation", text: "Error rate above 5% for 5 minutes" },
  ];
  return {
    environment: "production",
    model: "churn",
    kind: "error_rate",
    severity: "critical",
    fingerprint: "fp-1",
    started_at: "2026-03-02T10:00:00Z",
    evidence,
    seconds_since_deploy: 600,
    canary_state: "none",
    stable_available: true,
    flap_count: 0,
    digests: { serving: CANDIDATE, stable: STABLE, candidate: CANDIDATE },
    ...overrides,
  };
}
