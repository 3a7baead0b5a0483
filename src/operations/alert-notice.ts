/**
 * One alert, whatever sent it (Alertmanager, Grafana, the model server):
 * the shape the bot's intake normalises every payload into, and the input
 * of incident handling.
 */
import type { EvidenceItem, IncidentKind, Severity } from "../decision/incident.js";

/** Where a notice came from. */
export type AlertSource = "alertmanager" | "grafana" | "server";

/** One alert, whatever sent it. */
export interface AlertNotice {
  readonly source: AlertSource;
  readonly status: "firing" | "resolved";
  readonly fingerprint: string;
  readonly startsAt: string;
  readonly endsAt: string | undefined;
  /** `owner/name`; the bot's default when absent. */
  readonly repository: string | undefined;
  readonly environment: string | undefined;
  readonly model: string | undefined;
  readonly severity: Severity;
  readonly kind: IncidentKind;
  /** Digest the alert blames, when it names one. */
  readonly badDigest: string | undefined;
  readonly evidence: readonly EvidenceItem[];
  /** Alerts the sender dropped from this notification (`truncatedAlerts`). */
  readonly truncated: number;
  readonly alertName: string;
}
