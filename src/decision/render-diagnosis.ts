/**
 * Renders a diagnosis (and, when given, the engine's decision) as the
 * Markdown comment the bot posts. Every string that came from outside — the
 * model's words, evidence ids — goes through {@link sanitizeForGitHub}; the
 * only Markdown structure is the one written here.
 */
import type { Decision } from "./decide.js";
import type { Diagnosis } from "./diagnosis.js";
import { sanitizeForGitHub } from "./sanitize.js";

/** Options of {@link renderDiagnosisMarkdown}. */
export interface RenderDiagnosisOptions {
  /** Hosts links may point to (the repository's and the registry's). */
  readonly allowedHosts: readonly string[];
  /** The engine's decision, shown above the diagnosis. */
  readonly decision?: Decision;
  /** Longest comment in characters (default 6000; GitHub allows 65536). */
  readonly maxLength?: number;
}

/** Marker the bot can find its own diagnosis comments by. */
export const DIAGNOSIS_MARKER = "<!-- meta-controller:diagnosis -->";

/** Renders the diagnosis comment. */
export function renderDiagnosisMarkdown(diagnosis: Diagnosis, options: RenderDiagnosisOptions): string {
  const maxLength = options.maxLength ?? 6000;
  const clean = (text: string, max = 1200): string =>
    sanitizeForGitHub(text, { allowedHosts: options.allowedHosts, maxLength: max });
  const lines: string[] = [DIAGNOSIS_MARKER, "### Incident diagnosis", ""];
  const d = options.decision;
  if (d !== undefined) {
    lines.push(
      `**Decision:** \`${d.action}\` (reason \`${d.reason_code}\`; baseline \`${d.baseline_action}\`; policy \`${clean(d.policy_version, 120)}\`)`,
    );
    if (d.requires_human) lines.push("", "Retraining needs a person: comment `/retrain` to approve it.");
    lines.push("");
  }
  const source =
    diagnosis.source === "llm"
      ? "LLM advice — it explains, it does not act"
      : `deterministic template${diagnosis.fallback_reason === undefined ? "" : ` (LLM not used: \`${diagnosis.fallback_reason}\`)`}`;
  lines.push(`**Summary:** ${clean(diagnosis.summary)}`, "");
  lines.push(
    `**Category:** \`${diagnosis.category}\` · **Suggested:** \`${diagnosis.suggested_action}\` · **Confidence:** ${Math.round(Math.min(Math.max(diagnosis.confidence, 0), 1) * 100)}%`,
    "",
  );
  const causeLines = diagnosis.probable_causes.map(
    (c, i) =>
      `${i + 1}. ${clean(c.cause, 400)} — evidence: ${c.evidence_ids.map((id) => clean(id, 64)).join(", ")}`,
  );
  const footer = ["", `<sub>Source: ${source}.</sub>`];
  const head = lines.join("\n");
  let body = causeLines.length > 0 ? ["**Probable causes:**", ...causeLines].join("\n") : "";
  // Drop causes from the end until the comment fits; the cap is a hard limit.
  while (head.length + body.length + footer.join("\n").length + 1 > maxLength && causeLines.length > 0) {
    causeLines.pop();
    body =
      causeLines.length > 0 ? ["**Probable causes:**", ...causeLines, "(more causes cut)"].join("\n") : "";
  }
  const text = [head, body, ...footer].join("\n");
  return text.length <= maxLength ? text : `${text.slice(0, text.lastIndexOf("\n", maxLength))}\n`;
}
