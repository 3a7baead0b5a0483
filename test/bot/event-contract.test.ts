/**
 * The contract between the events the model server sends and the notices
 * the bot reads: every event kind maps to its incident kind and severity,
 * and the digest the bot acts on is the one the event names as at fault —
 * never the serving stable because a candidate failed, and none when the
 * event blames no model. The labelled set (labelled-alerts.test.ts) sends
 * events captured from a real server through the bot process.
 */
import { describe, expect, it } from "vitest";
import { normalizeAlertPayload } from "../../src/bot/alert-payloads.js";
import { SERVER_EVENT_TYPES, type ServerEventType } from "../../src/deploy/events.js";

const STABLE = `sha256:${"a".repeat(64)}`;
const CANDIDATE = `sha256:${"c".repeat(64)}`;

/** What each kind means to the bot, and which model a real server blames for it. */
const CONTRACT: Readonly<
  Record<ServerEventType, { kind: string; severity: string; atFault: string | null }>
> = {
  "rollout.aborted": { kind: "rollout_aborted", severity: "critical", atFault: CANDIDATE },
  "rollout.completed": { kind: "anomaly", severity: "info", atFault: null },
  "drift.detected": { kind: "drift", severity: "warning", atFault: null },
  "anomaly.detected": { kind: "anomaly", severity: "warning", atFault: CANDIDATE },
  "model.load_failed": { kind: "load_failed", severity: "critical", atFault: CANDIDATE },
};

function event(type: ServerEventType, atFault: string | null) {
  return {
    id: `evt-${type}`,
    type,
    environment: "staging",
    model: "churn",
    // The stable takes most of the traffic: a candidate's trouble must not be pinned on it.
    digests: { stable: STABLE, candidate: CANDIDATE, serving: STABLE, at_fault: atFault },
    evidence: [{ id: "reason", text: "what the server saw" }],
    timestamp: "2026-12-07T10:00:00Z",
  };
}

describe("server events → bot notices", () => {
  it("has a contract entry for every event kind the server can send", () => {
    expect(Object.keys(CONTRACT).sort()).toEqual([...SERVER_EVENT_TYPES].sort());
  });

  it.each(SERVER_EVENT_TYPES.map((type) => [type] as const))(
    "%s maps to its kind and severity and blames exactly the digest at fault",
    (type) => {
      const { kind, severity, atFault } = CONTRACT[type];
      const [notice] = normalizeAlertPayload(event(type, atFault));
      expect(notice).toMatchObject({ kind, severity, status: "firing", alertName: type });
      expect(notice!.badDigest).toBe(atFault ?? undefined);
      expect(notice!.badDigest).not.toBe(STABLE);
    },
  );

  it("blames the stable when the event names it: a stable that fails to load", () => {
    const [notice] = normalizeAlertPayload({
      ...event("model.load_failed", STABLE),
      digests: { stable: STABLE, candidate: null, serving: null, at_fault: STABLE },
    });
    expect(notice!.badDigest).toBe(STABLE);
  });
});
