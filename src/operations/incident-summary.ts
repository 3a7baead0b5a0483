/**
 * Markdown the bot writes: PR bodies, diagnoses, replies. Text that comes
 * from alerts or comments is untrusted: it is flattened, cut, and stripped
 * of mentions and HTML so it can neither ping people nor hide content.
 */
import { sanitizeForGitHub } from "../common/sanitize-markdown.js";
import type { Incident } from "../decision/incident.js";
import type { PolicyDecision } from "../decision/incident-policy.js";

/** Makes untrusted text (alert labels and annotations) safe to show inline: the one sanitiser, no links. */
export function sanitizeUntrusted(text: string, max = 300): string {
  return sanitizeForGitHub(text, { allowedHosts: [], maxLength: max });
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
      return `- ${sanitizeUntrusted(e.id, 100)} ${e.kind}: ${sanitizeUntrusted(e.text)}${measured}`;
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
    `| model | ${sanitizeUntrusted(incident.model, 100)} |`,
    `| fingerprint | ${sanitizeUntrusted(incident.fingerprint, 100)} |`,
    `| started | ${sanitizeUntrusted(incident.started_at, 40)} |`,
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
