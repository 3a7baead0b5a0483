/**
 * The model server's own events, POSTed to the bot's `/api/alerts`. One
 * schema shared by the server (which emits them) and the bot (which turns
 * them into incidents). Keys are snake_case like every wire format of the
 * project. The `id` is stable per occurrence so a retried POST is a
 * duplicate, not a second incident.
 */
import { z } from "zod";

/** Kinds of server events. */
export const SERVER_EVENT_TYPES = [
  "rollout.aborted",
  "rollout.completed",
  "drift.detected",
  "anomaly.detected",
  "model.load_failed",
] as const;

/** One kind of server event. */
export type ServerEventType = (typeof SERVER_EVENT_TYPES)[number];

const DIGEST = z.string().regex(/^sha256:[a-f0-9]{64}$/, "expected sha256:<64 lowercase hex digits>");

/** One measurement or observation behind an event. */
export const ServerEventEvidence = z
  .strictObject({
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/)
      .describe("Short id a diagnosis can cite, e.g. `error_rate` or `drift:age`."),
    text: z.string().max(4000).describe("What was seen, for people. Untrusted text."),
    metric: z.string().max(200).optional().describe("Metric or feature name."),
    value: z.number().finite().optional().describe("Observed value."),
    threshold: z.number().finite().optional().describe("Threshold the value was compared with."),
    direction: z
      .enum(["above", "below"])
      .optional()
      .describe("Whether the value is bad above or below the threshold."),
  })
  .describe("One piece of evidence.");
export type ServerEventEvidence = z.infer<typeof ServerEventEvidence>;

/** An event the model server sends to the bot. */
export const ServerEvent = z
  .strictObject({
    id: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/)
      .describe("Stable id of this occurrence; retries carry the same id and are deduplicated on it."),
    type: z.enum(SERVER_EVENT_TYPES).describe("What happened."),
    repository: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/)
      .optional()
      .describe("owner/name of the repository holding the environment file; the bot's default when absent."),
    environment: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/)
      .describe("Environment name."),
    model: z.string().min(1).max(200).describe("Model name served in the environment."),
    digests: z
      .strictObject({
        stable: DIGEST.nullable().describe("Digest of the stable model."),
        candidate: DIGEST.nullable().describe("Digest being rolled out, if any."),
        serving: DIGEST.nullable().optional().describe("Digest taking most of the traffic now."),
        at_fault: DIGEST.nullable()
          .optional()
          .describe(
            "Digest of the model that failed, when the event blames one; the bot acts on this digest only.",
          ),
      })
      .describe("Digests involved."),
    severity: z
      .enum(["info", "warning", "critical"])
      .optional()
      .describe("Severity; derived from the type when absent."),
    evidence: z.array(ServerEventEvidence).max(200).default([]).describe("What the server measured."),
    timestamp: z.iso.datetime({ offset: true }).describe("When the event happened (RFC 3339)."),
  })
  .describe("An event of the model server.");
export type ServerEvent = z.infer<typeof ServerEvent>;

/** Severity of an event type when the server does not state one. */
export const DEFAULT_EVENT_SEVERITY: Readonly<Record<ServerEventType, "info" | "warning" | "critical">> = {
  "rollout.aborted": "critical",
  "rollout.completed": "info",
  "drift.detected": "warning",
  "anomaly.detected": "warning",
  "model.load_failed": "critical",
};

/** A POST body: one event, or a batch. */
export const ServerEventBatch = z.union([
  ServerEvent,
  z.strictObject({ events: z.array(ServerEvent).min(1).max(1000) }),
]);
export type ServerEventBatch = z.infer<typeof ServerEventBatch>;
