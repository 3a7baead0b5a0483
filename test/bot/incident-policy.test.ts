/** The plain guardrail policy: critical with a stable → roll back; drift → diagnose. */
import { describe, expect, it } from "vitest";
import { createGuardrailPolicy } from "../../src/decision/incident-policy.js";
import { EnvironmentSpec } from "../../src/config/environment.js";
import { Incident } from "../../src/decision/incident.js";

const S = `sha256:${"1".repeat(64)}`;
const C = `sha256:${"2".repeat(64)}`;

function incident(over: Partial<Incident>): Incident {
  return Incident.parse({
    environment: "production",
    model: "churn",
    kind: "error_rate",
    severity: "critical",
    fingerprint: "f",
    started_at: "2026-11-28T01:00:00Z",
    evidence: [],
    seconds_since_deploy: null,
    canary_state: "none",
    stable_available: true,
    flap_count: 0,
    digests: { serving: S, stable: S, candidate: null },
    ...over,
  });
}

describe("guardrail policy", () => {
  it.each([
    { name: "critical after a deploy", over: {}, action: "rollback", reason: "critical_after_deploy" },
    {
      name: "critical during a canary",
      over: { canary_state: "progressing" as const, digests: { serving: C, stable: S, candidate: C } },
      action: "abort_canary",
      reason: "canary_failing",
    },
    {
      name: "rollout aborted by the server",
      over: {
        kind: "rollout_aborted" as const,
        canary_state: "aborted" as const,
        digests: { serving: S, stable: S, candidate: C },
      },
      action: "abort_canary",
      reason: "rollout_aborted_reconcile",
    },
    {
      name: "load failure",
      over: { kind: "load_failed" as const },
      action: "rollback",
      reason: "load_failed",
    },
    {
      name: "critical without a stable",
      over: { stable_available: false },
      action: "notify",
      reason: "no_stable_available",
    },
    {
      name: "drift",
      over: { kind: "drift" as const, severity: "warning" as const },
      action: "notify",
      reason: "drift_needs_retrain",
    },
    {
      name: "a warning",
      over: { kind: "latency" as const, severity: "warning" as const },
      action: "notify",
      reason: "warning_notify",
    },
    { name: "information", over: { severity: "info" as const }, action: "ignore", reason: "informational" },
  ])("$name → $action ($reason)", async ({ over, action, reason }) => {
    const environment = EnvironmentSpec.parse({ name: "production", model: "churn", stable: null });
    const decision = await createGuardrailPolicy().decide(incident(over), {
      now: new Date(0),
      environment,
      allowedHosts: [],
    });
    expect([decision.action, decision.reason_code]).toEqual([action, reason]);
  });
});
