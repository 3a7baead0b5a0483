/**
 * The diagnosis: what the LLM advisor (or, without one, the template) says
 * about an incident. The wire schema is what the model is asked to fill;
 * the local checks run again on whatever comes back, because a model's
 * output is untrusted like the telemetry it read.
 */
import { z } from "zod";
import { ACTIONS } from "./actions.js";

/** Broad causes a diagnosis may name. */
export const DIAGNOSIS_CATEGORIES = [
  "model_regression",
  "data_drift",
  "upstream_dependency",
  "infrastructure",
  "configuration",
  "noise",
  "unknown",
] as const;

/** One category. */
export type DiagnosisCategory = (typeof DIAGNOSIS_CATEGORIES)[number];

/**
 * What the model is asked to return. Kept free of length and range keywords
 * so every OpenAI-compatible server's structured-output mode accepts it; the
 * limits are enforced by {@link validateDiagnosis}.
 */
export const LlmDiagnosis = z
  .object({
    summary: z.string().describe("Two or three sentences for the on-call engineer."),
    probable_causes: z
      .array(
        z
          .object({
            cause: z.string().describe("One probable cause."),
            evidence_ids: z.array(z.string()).describe("Ids of the evidence items that support it."),
          })
          .strict(),
      )
      .describe("Most likely first."),
    category: z.enum(DIAGNOSIS_CATEGORIES),
    suggested_action: z.enum(ACTIONS),
    confidence: z.number().describe("Between 0 and 1."),
  })
  .strict();

/** The model's answer as parsed. */
export type LlmDiagnosis = z.infer<typeof LlmDiagnosis>;

/** Why a diagnosis came from the template rather than the model. */
export const FALLBACK_REASONS = [
  "no_api_key",
  "disabled",
  "timeout",
  "rate_limited",
  "refusal",
  "invalid_json",
  "schema_mismatch",
  "length",
  "content_filter",
  "unknown_evidence",
  "api_error",
  "endpoint_not_allowed",
] as const;

/** One fallback reason. */
export type FallbackReason = (typeof FALLBACK_REASONS)[number];

/** A diagnosis ready to render. */
export interface Diagnosis extends LlmDiagnosis {
  readonly source: "llm" | "template";
  /** Set when `source` is `template` because the model could not be used. */
  readonly fallback_reason?: FallbackReason;
}

/** Limits applied to every diagnosis, whatever its source. */
export const DIAGNOSIS_LIMITS = {
  summaryChars: 1200,
  causes: 5,
  causeChars: 400,
  evidencePerCause: 10,
} as const;

/** A problem found by {@link validateDiagnosis}. */
export interface DiagnosisProblem {
  readonly reason: "schema_mismatch" | "unknown_evidence";
  readonly message: string;
}

/**
 * Checks a parsed answer against the local rules: field limits, a
 * confidence in [0, 1], and evidence ids that all exist in the input.
 */
export function validateDiagnosis(
  value: unknown,
  knownEvidenceIds: ReadonlySet<string>,
): { ok: true; diagnosis: LlmDiagnosis } | { ok: false; problem: DiagnosisProblem } {
  const parsed = LlmDiagnosis.safeParse(value);
  if (!parsed.success) {
    return {
      ok: false,
      problem: { reason: "schema_mismatch", message: parsed.error.issues[0]?.message ?? "" },
    };
  }
  const d = parsed.data;
  const fail = (message: string): { ok: false; problem: DiagnosisProblem } => ({
    ok: false,
    problem: { reason: "schema_mismatch", message },
  });
  if (d.summary.trim() === "" || d.summary.length > DIAGNOSIS_LIMITS.summaryChars)
    return fail("summary length");
  if (!(d.confidence >= 0 && d.confidence <= 1)) return fail("confidence outside [0, 1]");
  if (d.probable_causes.length > DIAGNOSIS_LIMITS.causes) return fail("too many probable causes");
  for (const c of d.probable_causes) {
    if (c.cause.trim() === "" || c.cause.length > DIAGNOSIS_LIMITS.causeChars) return fail("cause length");
    if (c.evidence_ids.length === 0 || c.evidence_ids.length > DIAGNOSIS_LIMITS.evidencePerCause) {
      return fail("each cause cites 1 to 10 evidence ids");
    }
    const unknown = c.evidence_ids.find((id) => !knownEvidenceIds.has(id));
    if (unknown !== undefined) {
      return {
        ok: false,
        problem: {
          reason: "unknown_evidence",
          message: `cites evidence id not in the input: ${JSON.stringify(unknown).slice(0, 80)}`,
        },
      };
    }
  }
  return { ok: true, diagnosis: d };
}
