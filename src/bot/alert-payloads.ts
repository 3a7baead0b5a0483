/**
 * Alert payloads the bot accepts on `/api/alerts`, normalised into one
 * notice shape: Prometheus Alertmanager webhook v4, Grafana unified
 * alerting, and the model server's own events.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { normalizeFingerprint } from "../decision/decision-log.js";
import { INCIDENT_KINDS, type EvidenceItem, type IncidentKind, type Severity } from "../decision/incident.js";
import type { AlertNotice, AlertSource } from "../operations/alert-notice.js";

export type { AlertNotice, AlertSource } from "../operations/alert-notice.js";
import {
  DEFAULT_EVENT_SEVERITY,
  ServerEventBatch,
  type ServerEvent,
  type ServerEventType,
} from "../deploy/events.js";

const Labels = z.record(z.string(), z.string());

const AlertmanagerAlert = z.object({
  status: z.enum(["firing", "resolved"]),
  labels: Labels,
  annotations: Labels.default({}),
  startsAt: z.string().min(1),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

/** Prometheus Alertmanager webhook, version 4. */
export const AlertmanagerPayload = z.object({
  version: z.literal("4"),
  groupKey: z.string(),
  truncatedAlerts: z.number().int().nonnegative().default(0),
  status: z.enum(["firing", "resolved"]),
  receiver: z.string(),
  groupLabels: Labels.default({}),
  commonLabels: Labels.default({}),
  commonAnnotations: Labels.default({}),
  externalURL: z.string().default(""),
  alerts: z.array(AlertmanagerAlert).max(1000),
});

/** Grafana unified-alerting webhook. */
export const GrafanaPayload = z.object({
  receiver: z.string().default(""),
  status: z.enum(["firing", "resolved"]),
  orgId: z.number().optional(),
  alerts: z
    .array(
      AlertmanagerAlert.extend({
        values: z.record(z.string(), z.number().nullable()).nullish(),
        valueString: z.string().optional(),
        dashboardURL: z.string().optional(),
        panelURL: z.string().optional(),
        silenceURL: z.string().optional(),
      }),
    )
    .max(1000),
  groupLabels: Labels.default({}),
  commonLabels: Labels.default({}),
  commonAnnotations: Labels.default({}),
  externalURL: z.string().default(""),
  version: z.literal("1"),
  groupKey: z.string().default(""),
  truncatedAlerts: z.number().int().nonnegative().default(0),
  title: z.string().optional(),
  state: z.string().optional(),
  message: z.string().optional(),
});

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const EVIDENCE_ID_SAFE = /[^A-Za-z0-9_.:-]/g;

function severityOf(label: string | undefined): Severity {
  const s = (label ?? "").toLowerCase();
  if (s === "critical" || s === "page" || s === "error" || s === "high") return "critical";
  if (s === "info" || s === "none" || s === "low") return "info";
  return "warning";
}

/** Maps an alert to an incident kind: the `kind` label, else the alert name. */
export function kindOf(labels: Readonly<Record<string, string>>): IncidentKind {
  const explicit = labels.kind?.toLowerCase();
  if (explicit && (INCIDENT_KINDS as readonly string[]).includes(explicit)) return explicit as IncidentKind;
  const name = labels.alertname ?? "";
  if (/drift/i.test(name)) return "drift";
  if (/error/i.test(name)) return "error_rate";
  if (/latency/i.test(name)) return "latency";
  if (/accuracy/i.test(name)) return "accuracy";
  if (/abort/i.test(name)) return "rollout_aborted";
  if (/load/i.test(name)) return "load_failed";
  return "anomaly";
}

function labelFingerprint(labels: Readonly<Record<string, string>>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join("\n");
  return createHash("sha256").update(sorted).digest("hex").slice(0, 16);
}

function evidenceId(prefix: string, name: string): string {
  return `${prefix}:${name}`.replace(EVIDENCE_ID_SAFE, "_").slice(0, 64);
}

/** Measures where a low value is the bad side, for alerts that do not say their direction. */
const LOW_IS_BAD: ReadonlySet<IncidentKind> = new Set(["accuracy", "drift"]);

/**
 * Which side of the threshold is bad: the `direction` annotation the
 * rendered rules carry, else what the alert's kind measures (accuracy and
 * drift p-values are bad below their threshold), else above.
 */
function directionOf(annotations: Readonly<Record<string, string>>, kind: IncidentKind): "above" | "below" {
  const stated = annotations.direction?.toLowerCase();
  if (stated === "above" || stated === "below") return stated;
  return LOW_IS_BAD.has(kind) ? "below" : "above";
}

function annotationEvidence(
  annotations: Readonly<Record<string, string>>,
  kind: IncidentKind,
): EvidenceItem[] {
  const items: EvidenceItem[] = [];
  for (const key of ["summary", "description", "message"]) {
    const text = annotations[key];
    if (text)
      items.push({ id: evidenceId("annotation", key), kind: "annotation", text: text.slice(0, 4000) });
  }
  const value = Number(annotations.value);
  const threshold = Number(annotations.threshold);
  if (annotations.value !== undefined && Number.isFinite(value)) {
    items.push({
      id: "m:value",
      kind: "metric",
      text: `value ${value}${Number.isFinite(threshold) ? ` against threshold ${threshold}` : ""}`,
      value,
      ...(annotations.threshold !== undefined && Number.isFinite(threshold)
        ? { threshold, direction: directionOf(annotations, kind) }
        : {}),
    });
  }
  return items;
}

function fromAlert(
  source: AlertSource,
  alert: z.output<typeof AlertmanagerAlert>,
  common: Readonly<Record<string, string>>,
  truncated: number,
  extra: EvidenceItem[],
): AlertNotice {
  const labels = { ...common, ...alert.labels };
  const digest = labels.digest ?? labels.model_digest;
  const kind = kindOf(labels);
  return {
    source,
    status: alert.status,
    // Cut to the decision log's limit here, so the decision and its outcomes (resolved, 👎) agree on it.
    fingerprint: normalizeFingerprint(alert.fingerprint ?? "") ?? labelFingerprint(alert.labels),
    startsAt: alert.startsAt,
    endsAt: alert.endsAt,
    repository: labels.repository,
    environment: labels.environment,
    model: labels.model,
    severity: severityOf(labels.severity),
    kind,
    badDigest: digest && DIGEST.test(digest) ? digest : undefined,
    evidence: [...annotationEvidence(alert.annotations, kind), ...extra],
    truncated,
    alertName: labels.alertname ?? "alert",
  };
}

const EVENT_KIND: Readonly<Record<ServerEventType, IncidentKind>> = {
  "rollout.aborted": "rollout_aborted",
  "rollout.completed": "anomaly",
  "drift.detected": "drift",
  "anomaly.detected": "anomaly",
  "model.load_failed": "load_failed",
};

/**
 * The digest an event blames: the one it names as at fault; for events of
 * servers that predate that field, the aborted candidate, or the model that
 * failed to load (which those servers put under `candidate`). Never the
 * serving digest: a candidate's failure says nothing about the stable.
 */
function faultyDigestOf(event: ServerEvent): string | null | undefined {
  if (event.digests.at_fault !== undefined) return event.digests.at_fault;
  if (event.type === "rollout.aborted") return event.digests.candidate;
  if (event.type === "model.load_failed") return event.digests.candidate ?? event.digests.stable;
  return undefined;
}

function fromServerEvent(event: ServerEvent): AlertNotice {
  const bad = faultyDigestOf(event);
  return {
    source: "server",
    status: "firing",
    fingerprint:
      normalizeFingerprint(event.id) ?? createHash("sha256").update(event.type).digest("hex").slice(0, 16),
    startsAt: event.timestamp,
    endsAt: undefined,
    repository: event.repository,
    environment: event.environment,
    model: event.model,
    severity: event.severity ?? DEFAULT_EVENT_SEVERITY[event.type],
    kind: EVENT_KIND[event.type],
    badDigest: bad ?? undefined,
    evidence: event.evidence.map((e) => ({ ...e, id: e.id, kind: "event" as const })),
    truncated: 0,
    alertName: event.type,
  };
}

/** Why a body was not accepted. */
export class AlertPayloadError extends Error {}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join(".") || "(body)"}: ${issue.message}` : "invalid";
}

/**
 * Recognises the sender by shape and returns its notices. Throws
 * {@link AlertPayloadError} naming the field that is wrong.
 */
export function normalizeAlertPayload(body: unknown): AlertNotice[] {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new AlertPayloadError("expected a JSON object (Alertmanager v4, Grafana or a server event)");
  }
  const record = body as Record<string, unknown>;
  if (record.version === "4") {
    const parsed = AlertmanagerPayload.safeParse(body);
    if (!parsed.success) throw new AlertPayloadError(`Alertmanager payload: ${firstIssue(parsed.error)}`);
    const p = parsed.data;
    return p.alerts.map((a) => fromAlert("alertmanager", a, p.commonLabels, p.truncatedAlerts, []));
  }
  if (record.version === "1" || "orgId" in record) {
    const parsed = GrafanaPayload.safeParse(body);
    if (!parsed.success) throw new AlertPayloadError(`Grafana payload: ${firstIssue(parsed.error)}`);
    const p = parsed.data;
    return p.alerts.map((a) => {
      const values: EvidenceItem[] = Object.entries(a.values ?? {})
        .filter(
          (entry): entry is [string, number] => typeof entry[1] === "number" && Number.isFinite(entry[1]),
        )
        .map(([name, value]) => ({
          id: evidenceId("value", name),
          kind: "metric" as const,
          text: `${name} = ${value}`,
          metric: name,
          value,
        }));
      return fromAlert("grafana", a, p.commonLabels, p.truncatedAlerts, values);
    });
  }
  if ("type" in record || "events" in record) {
    const parsed = ServerEventBatch.safeParse(body);
    if (!parsed.success) throw new AlertPayloadError(`server event: ${firstIssue(parsed.error)}`);
    const events = "events" in parsed.data ? parsed.data.events : [parsed.data];
    return events.map(fromServerEvent);
  }
  throw new AlertPayloadError(
    'unrecognised payload: expected Alertmanager (version "4"), Grafana (version "1") or a server event (type)',
  );
}

/** The identity used to drop duplicates: fingerprint, start and status. */
export function noticeKey(notice: AlertNotice): string {
  return `${notice.fingerprint}|${notice.startsAt}|${notice.status}`;
}
