/**
 * The deterministic diagnosis: built from the incident's typed fields and
 * evidence measurements alone, never from evidence text. It is the
 * diagnosis when no LLM is configured and the fallback whenever the LLM's
 * answer cannot be used.
 */
import type { Action } from "./actions.js";
import type { Diagnosis, DiagnosisCategory, FallbackReason } from "./diagnosis.js";
import { hasNoFaultEvidence, isBreach, type Incident } from "./incident.js";

const KIND_TEXT: Readonly<Record<Incident["kind"], string>> = {
  drift: "input drift",
  error_rate: "an elevated error rate",
  latency: "high latency",
  accuracy: "an accuracy drop",
  anomaly: "anomalous predictions",
  rollout_aborted: "an aborted rollout",
  load_failed: "a model that failed to load",
};

function formatNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(3);
}

/** Builds the template diagnosis; `suggested` is the engine's baseline action. */
export function buildTemplateDiagnosis(
  incident: Incident,
  suggested: Action,
  fallbackReason?: FallbackReason,
): Diagnosis {
  const breaches = incident.evidence.filter(isBreach);
  const recent = incident.seconds_since_deploy !== null && incident.seconds_since_deploy < 2 * 3600;
  const canary = incident.canary_state === "progressing" || incident.canary_state === "paused";
  let category: DiagnosisCategory = "unknown";
  let cause = `The alert reports ${KIND_TEXT[incident.kind]}; the evidence does not point to one cause.`;
  let confidence = 0.3;
  if (hasNoFaultEvidence(incident)) {
    category = "noise";
    cause = "Every measurement attached to the alert is within its threshold.";
    confidence = 0.6;
  } else if (incident.kind === "drift") {
    category = "data_drift";
    cause = "The input distribution moved away from the training data.";
    confidence = 0.6;
  } else if (incident.kind === "load_failed" || incident.kind === "rollout_aborted") {
    category = "model_regression";
    cause = `The new model version caused ${KIND_TEXT[incident.kind]}.`;
    confidence = 0.7;
  } else if (recent || canary) {
    category = "model_regression";
    cause = `${KIND_TEXT[incident.kind]} began ${canary ? "during a canary rollout" : "shortly after a deploy"}; the new model is the first suspect.`;
    confidence = 0.6;
  } else if (incident.kind === "error_rate" || incident.kind === "latency") {
    category = "upstream_dependency";
    cause = `No recent deploy: ${KIND_TEXT[incident.kind]} more likely comes from a dependency or the infrastructure.`;
    confidence = 0.4;
  }
  cause = cause.charAt(0).toUpperCase() + cause.slice(1);
  const cited = (breaches.length > 0 ? breaches : incident.evidence).slice(0, 5).map((e) => e.id);
  const measured = breaches
    .slice(0, 3)
    .map((e) => `${e.metric ?? e.id} ${formatNumber(e.value!)} vs threshold ${formatNumber(e.threshold!)}`);
  const summary =
    `${incident.severity} ${incident.kind} incident on ${incident.model} in ${incident.environment}` +
    (measured.length > 0 ? ` (${measured.join("; ")})` : "") +
    `. Deterministic diagnosis from the incident's measurements.`;
  return {
    source: "template",
    ...(fallbackReason === undefined ? {} : { fallback_reason: fallbackReason }),
    summary,
    probable_causes: cited.length > 0 ? [{ cause, evidence_ids: cited }] : [],
    category,
    suggested_action: suggested,
    confidence,
  };
}
