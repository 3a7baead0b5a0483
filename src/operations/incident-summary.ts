/**
 * Markdown the bot writes: PR bodies, diagnoses, replies. Text that comes
 * from alerts or comments is untrusted: it is flattened, cut, and stripped
 * of mentions and HTML so it can neither ping people nor hide content.
 */
import type { Incident } from "../decision/incident.js";
import type { PolicyDecision } from "../decision/incident-policy.js";

/** Makes untrusted text safe to show inline. */
export function sanitizeUntrusted(text: string, max = 300): string {
  const flat = text.replace(/[\r\n\t]+/g, " ").replace(/[<>]/g, (c) => (c === "<" ? "&lt;" : "&gt;"));
  const unmentioned = flat.replace(/@(?=[A-Za-z0-9])/g, "@\u200b").replace(/`/g, "'");
  return unmentioned.length > max ? `${unmentioned.slice(0, max - 1)}…` : unmentioned;
}

/** The evidence list of an incident as Markdown. */
export function renderEvidence(incident: Incident): string {
  if (incident.evidence.length === 0) return "_no evidence attached_";
  return incident.evidence
    .slice(0, 20)
    .map((e) => {
      const measured =
        e.value === undefined
          ? ""
          : ` (value ${e.value}${e.threshold === undefined ? "" : `, threshold ${e.threshold}`})`;
      return `- \`${e.id}\` ${e.kind}: ${sanitizeUntrusted(e.text)}${measured}`;
    })
    .join("\n");
}

/** A deterministic diagnosis of an incident and what was decided. */
export function renderDiagnosis(incident: Incident, decision: PolicyDecision): string {
  const d = incident.digests;
  return [
    `### Incident in \`${incident.environment}\`: ${incident.kind} (${incident.severity})`,
    "",
    `| | |`,
    `| --- | --- |`,
    `| model | \`${sanitizeUntrusted(incident.model, 100)}\` |`,
    `| fingerprint | \`${sanitizeUntrusted(incident.fingerprint, 100)}\` |`,
    `| started | ${incident.started_at} |`,
    `| serving | ${d.serving ? `\`${d.serving}\`` : "—"} |`,
    `| stable | ${d.stable ? `\`${d.stable}\`` : "—"} |`,
    `| candidate | ${d.candidate ? `\`${d.candidate}\`` : "—"} |`,
    `| canary | ${incident.canary_state} |`,
    `| decision | **${decision.action}** (\`${decision.reason_code}\`) |`,
    "",
    decision.explanation,
    "",
    "**Evidence**",
    "",
    renderEvidence(incident),
  ].join("\n");
}
