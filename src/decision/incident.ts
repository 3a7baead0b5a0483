/**
 * The incident: the one shape every alert and event is normalised into before
 * the decision engine sees it. The bot builds it from Alertmanager, Grafana
 * and the server's own events; the decision log stores it verbatim, so its
 * keys are snake_case like every other file format of the project.
 *
 * Evidence text is untrusted (it comes from alert annotations, labels and log
 * lines): the engine never acts on its words, only on the typed fields.
 */
import { z } from "zod";

/** What kind of trouble an incident reports. */
export const INCIDENT_KINDS = [
  "drift",
  "error_rate",
  "latency",
  "accuracy",
  "anomaly",
  "rollout_aborted",
  "load_failed",
] as const;

/** One kind of incident. */
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

/** Severities, lowest first. */
export const SEVERITIES = ["info", "warning", "critical"] as const;

/** One severity. */
export type Severity = (typeof SEVERITIES)[number];

/** States of a canary rollout as the server reports them. */
export const CANARY_STATES = ["none", "progressing", "paused", "aborted", "promoted"] as const;

/** One canary state. */
export type CanaryState = (typeof CANARY_STATES)[number];

/** Where an evidence item came from. */
export const EVIDENCE_KINDS = ["metric", "drift", "log", "annotation", "label", "event"] as const;

/** Evidence ids are short and plain so a diagnosis can cite them without quoting untrusted text. */
export const EVIDENCE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** An OCI content digest. */
export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** An OCI digest (`sha256:` and 64 hex digits). */
export const Digest = z
  .string()
  .regex(DIGEST_PATTERN, "expected sha256: followed by 64 lowercase hex digits");

/** One piece of evidence attached to an incident. */
export const EvidenceItem = z
  .object({
    id: z
      .string()
      .regex(EVIDENCE_ID_PATTERN, "evidence id must be 1-64 characters of letters, digits, _ . : -")
      .describe("Stable identifier the diagnosis cites, e.g. `m1` or `drift:age`."),
    kind: z.enum(EVIDENCE_KINDS).describe("Where the evidence came from."),
    text: z
      .string()
      .max(4000)
      .describe("Human-readable text. Untrusted: it may come from alert annotations or logs."),
    metric: z
      .string()
      .max(200)
      .optional()
      .describe("Metric or feature name, when the evidence is a measurement."),
    value: z.number().finite().optional().describe("Observed value."),
    threshold: z.number().finite().optional().describe("Threshold the value is compared with."),
    direction: z
      .enum(["above", "below"])
      .optional()
      .describe("Whether the value is bad when above (default) or below the threshold."),
  })
  .strict();

/** One piece of evidence. */
export type EvidenceItem = z.infer<typeof EvidenceItem>;

/** Digests involved in an incident. */
export const IncidentDigests = z
  .object({
    serving: Digest.nullable().describe("Digest serving most of the traffic now."),
    stable: Digest.nullable().describe("Digest of the stable model, the rollback target."),
    candidate: Digest.nullable().describe("Digest being rolled out, if any."),
    at_fault: Digest.optional().describe(
      "Digest the alert itself blames (its `digest` label, a server event's `at_fault`); absent when it names none, and then a canary's candidate is presumed at fault.",
    ),
  })
  .strict();

/** The normalised incident the decision engine decides on. */
export const Incident = z
  .object({
    environment: z
      .string()
      .min(1)
      .max(100)
      .describe("Environment name (file name of environments/<name>.yaml)."),
    model: z.string().min(1).max(200).describe("Model name served in the environment."),
    kind: z.enum(INCIDENT_KINDS).describe("What kind of trouble is reported."),
    severity: z.enum(SEVERITIES).describe("Severity after normalisation."),
    fingerprint: z
      .string()
      .min(1)
      .max(200)
      .describe("Stable identity of the alert; outcomes are joined to decisions by it."),
    started_at: z.iso.datetime({ offset: true }).describe("When the incident started (RFC 3339)."),
    evidence: z.array(EvidenceItem).max(200).describe("Evidence items, each with a unique id."),
    seconds_since_deploy: z
      .number()
      .finite()
      .nonnegative()
      .nullable()
      .describe(
        "Seconds since the model at fault went out (since the last change of the environment file when the alert names no model); null when unknown.",
      ),
    canary_state: z.enum(CANARY_STATES).describe("State of the canary rollout, `none` when there is none."),
    stable_available: z.boolean().describe("Whether a stable model is ready to take the traffic back."),
    flap_count: z
      .number()
      .int()
      .nonnegative()
      .describe("How many times this fingerprint fired and resolved in the last day."),
    digests: IncidentDigests,
  })
  .strict()
  .superRefine((incident, ctx) => {
    const seen = new Set<string>();
    incident.evidence.forEach((item, index) => {
      if (seen.has(item.id)) {
        ctx.addIssue({
          code: "custom",
          path: ["evidence", index, "id"],
          message: `duplicate evidence id "${item.id}"`,
        });
      }
      seen.add(item.id);
    });
  });

/** The normalised incident. */
export type Incident = z.infer<typeof Incident>;

/** Whether a piece of evidence is a measurement on the bad side of its threshold. */
export function isBreach(item: EvidenceItem): boolean {
  if (item.value === undefined || item.threshold === undefined) return false;
  return item.direction === "below" ? item.value < item.threshold : item.value > item.threshold;
}

/**
 * Whether the incident's own measurements say nothing is wrong: it carries
 * measurements and none of them breaches its threshold. Alerts without
 * measurements are taken at their word.
 */
export function hasNoFaultEvidence(incident: Incident): boolean {
  const measured = incident.evidence.filter((e) => e.value !== undefined && e.threshold !== undefined);
  return measured.length > 0 && !measured.some(isBreach);
}

/**
 * Whether the canary's candidate is the model at fault: the one the alert
 * blames, or — when the alert names none — presumed, since a rollout in
 * progress is the likeliest change.
 */
export function isCandidateAtFault(incident: Incident): boolean {
  const { candidate, at_fault: blamed } = incident.digests;
  return candidate !== null && (blamed === undefined || blamed === candidate);
}
