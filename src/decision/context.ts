/**
 * The context vector the policy learns on: a handful of typed facts about an
 * incident. Only typed fields enter it, never evidence text, so nothing an
 * alert author writes can steer the learned policy.
 */
import { INCIDENT_KINDS, hasNoFaultEvidence, type Incident } from "./incident.js";

/** Names of the context features, in order. */
export const CONTEXT_FEATURES = [
  "bias",
  "critical",
  "warning",
  ...INCIDENT_KINDS.map((k) => `kind_${k}`),
  "recent_deploy",
  "canary_active",
  "stable_available",
  "no_fault_evidence",
  "flapping",
] as const;

/** Length of a context vector. */
export const CONTEXT_DIM = CONTEXT_FEATURES.length;

/** What the context needs from the policy: what "recent" and "flapping" mean. */
export interface ContextSettings {
  readonly recentDeployMs: number;
  readonly flapThreshold: number;
}

/** Whether the last deploy is recent enough to be a suspect. */
export function isRecentDeploy(incident: Incident, recentDeployMs: number): boolean {
  return incident.seconds_since_deploy !== null && incident.seconds_since_deploy * 1000 <= recentDeployMs;
}

/** Whether a canary is taking traffic. */
export function isCanaryActive(incident: Incident): boolean {
  return incident.canary_state === "progressing" || incident.canary_state === "paused";
}

/** Builds the context vector of an incident. */
export function buildContext(incident: Incident, settings: ContextSettings): Float64Array {
  const x = new Float64Array(CONTEXT_DIM);
  x[0] = 1;
  x[1] = incident.severity === "critical" ? 1 : 0;
  x[2] = incident.severity === "warning" ? 1 : 0;
  x[3 + INCIDENT_KINDS.indexOf(incident.kind)] = 1;
  const base = 3 + INCIDENT_KINDS.length;
  x[base] = isRecentDeploy(incident, settings.recentDeployMs) ? 1 : 0;
  x[base + 1] = isCanaryActive(incident) ? 1 : 0;
  x[base + 2] = incident.stable_available ? 1 : 0;
  x[base + 3] = hasNoFaultEvidence(incident) ? 1 : 0;
  x[base + 4] = Math.min(incident.flap_count / settings.flapThreshold, 1);
  return x;
}
