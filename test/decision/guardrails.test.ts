import { describe, expect, it } from "vitest";
import type { Action, ReasonCode } from "../../src/decision/actions.js";
import {
  computeGuardrailHold,
  computeGuardrails,
  type AutomatedActionRecord,
} from "../../src/decision/guardrails.js";
import type { Incident } from "../../src/decision/incident.js";
import { PolicySpec, resolvePolicy } from "../../src/decision/policy-spec.js";
import { CANDIDATE, STABLE, makeIncident } from "./incidents.js";

const NOW = new Date("2026-03-04T10:00:00Z"); // a Wednesday
const MIN = 60_000;

function run(
  incident: Incident,
  opts: { spec?: PolicySpec; recent?: AutomatedActionRecord[]; quarantined?: string[]; now?: Date } = {},
) {
  return computeGuardrails(incident, {
    policy: resolvePolicy(opts.spec),
    now: opts.now ?? NOW,
    recentAutomated: opts.recent ?? [],
    quarantinedDigests: new Set(opts.quarantined ?? []),
  });
}

const rollbackAt = (
  minutesAgo: number,
  environment = "production",
  model = "churn",
): AutomatedActionRecord => ({
  environment,
  model,
  action: "rollback",
  at: NOW.getTime() - minutesAgo * MIN,
});

describe("computeGuardrails: baseline rules", () => {
  it.each<[string, Partial<Incident>, Action, ReasonCode]>([
    ["critical + recent deploy + stable available", {}, "rollback", "critical_after_deploy"],
    ["critical, deploy long ago", { seconds_since_deploy: 5 * 86_400 }, "notify", "critical_needs_human"],
    ["critical, deploy time unknown", { seconds_since_deploy: null }, "notify", "critical_needs_human"],
    ["warning after a deploy", { severity: "warning" }, "notify", "warning_notify"],
    ["info", { severity: "info" }, "ignore", "informational"],
    ["canary failing, critical", { canary_state: "progressing" }, "abort_canary", "canary_failing"],
    [
      "canary running, the alert blames the candidate",
      {
        canary_state: "progressing",
        digests: { serving: CANDIDATE, stable: STABLE, candidate: CANDIDATE, at_fault: CANDIDATE },
      },
      "abort_canary",
      "canary_failing",
    ],
    [
      "canary running, the alert blames the long-serving stable",
      {
        canary_state: "progressing",
        seconds_since_deploy: 30 * 86_400,
        digests: { serving: STABLE, stable: STABLE, candidate: CANDIDATE, at_fault: STABLE },
      },
      "notify",
      "critical_needs_human",
    ],
    [
      "canary failing, warning",
      { canary_state: "paused", severity: "warning" },
      "abort_canary",
      "canary_failing",
    ],
    ["rollout aborted by the server", { kind: "rollout_aborted" }, "rollback", "rollout_aborted_reconcile"],
    ["candidate failed to load", { kind: "load_failed" }, "rollback", "load_failed"],
    ["critical drift", { kind: "drift", seconds_since_deploy: 9e5 }, "retrain", "drift_needs_retrain"],
    ["warning drift", { kind: "drift", severity: "warning" }, "notify", "warning_notify"],
    ["flapping alert", { flap_count: 7 }, "notify", "flapping"],
    [
      "measurements within thresholds",
      {
        severity: "warning",
        evidence: [{ id: "m1", kind: "metric", text: "ok", value: 0.01, threshold: 0.05 }],
      },
      "ignore",
      "no_fault_evidence",
    ],
    [
      "critical, but measurements within thresholds",
      {
        evidence: [{ id: "m1", kind: "metric", text: "ok", value: 0.9, threshold: 0.8, direction: "below" }],
      },
      "notify",
      "no_fault_evidence",
    ],
  ])("%s → %s", (_name, overrides, baseline, reason) => {
    const result = run(makeIncident(overrides));

    expect(result.baseline).toBe(baseline);
    expect(result.reason_code).toBe(reason);
    expect(result.allowed).toContain(baseline);
  });
});

describe("computeGuardrails: the mask", () => {
  it("never allows aborting a canary when the alert blames the stable", () => {
    const result = run(
      makeIncident({
        canary_state: "progressing",
        digests: { serving: STABLE, stable: STABLE, candidate: CANDIDATE, at_fault: STABLE },
      }),
    );

    expect(result.allowed).not.toContain("abort_canary");
    expect(result.masked).toContainEqual({ action: "abort_canary", reason_code: "critical_needs_human" });
  });

  it.each<[string, Partial<Incident>, Parameters<typeof run>[1], ReasonCode]>([
    ["no stable model", { stable_available: false }, {}, "no_stable_available"],

    ["stable digest quarantined", {}, { quarantined: [STABLE] }, "stable_quarantined"],
    [
      "rate limit reached",
      {},
      {
        recent: [
          rollbackAt(10, "production", "a"),
          rollbackAt(20, "production", "b"),
          rollbackAt(50, "production", "c"),
        ],
      },
      "rate_limited",
    ],
    ["cooldown after a rollback of this model", {}, { recent: [rollbackAt(5)] }, "cooldown"],
    [
      "absolute freeze window",
      {},
      {
        spec: {
          freeze_windows: [{ from: "2026-03-04T09:00:00Z", to: "2026-03-04T11:00:00Z", reason: "launch" }],
        },
      },
      "freeze_window",
    ],
    [
      "weekly freeze window over midnight",
      {},
      {
        spec: { freeze_windows: [{ days: ["tue"], from_time: "22:00", to_time: "02:00" }] },
        now: new Date("2026-03-04T01:30:00Z"),
      },
      "freeze_window",
    ],
    ["flapping", { flap_count: 4 }, {}, "flapping"],
  ])(
    "masks rollback when there is %s, and the baseline falls back to notify",
    (_name, overrides, opts, reason) => {
      const result = run(makeIncident(overrides), opts);

      expect(result.allowed).not.toContain("rollback");
      expect(result.masked).toContainEqual({ action: "rollback", reason_code: reason });
      expect(result.baseline).toBe("notify");
      expect(result.reason_code).toBe(reason);
    },
  );

  it.each<[string, Parameters<typeof run>[1]]>([
    ["a rollback in another environment", { recent: [rollbackAt(5, "staging")] }],
    ["a cooldown that has expired", { recent: [rollbackAt(16)] }],
    [
      "rate-limit entries older than an hour",
      {
        recent: [
          rollbackAt(61, "production", "a"),
          rollbackAt(70, "production", "b"),
          rollbackAt(90, "production", "c"),
        ],
      },
    ],
    [
      "a weekly window on another day",
      { spec: { freeze_windows: [{ days: ["mon"], from_time: "00:00", to_time: "23:59" }] } },
    ],
    ["a quarantined candidate (not the stable)", { quarantined: [CANDIDATE] }],
  ])("still allows rollback with %s", (_name, opts) => {
    expect(run(makeIncident(), opts).baseline).toBe("rollback");
  });

  it("never allows ignoring a critical incident and only aborts an active canary", () => {
    const result = run(makeIncident());

    expect(result.allowed).not.toContain("ignore");
    expect(result.allowed).not.toContain("abort_canary");
    expect(result.allowed).toEqual(["notify", "rollback", "retrain"]);
  });

  it("cites the evidence that breaches its threshold", () => {
    expect(run(makeIncident()).evidence).toEqual(["m1"]);
  });
});

describe("PolicySpec", () => {
  it("fills defaults from code when the section is absent", () => {
    const policy = resolvePolicy();

    expect(policy.rateLimitPerHour).toBe(3);
    expect(policy.cooldownMs).toBe(15 * MIN);
    expect(policy.bandit.enabled).toBe(false);
    expect(policy.reward.actionCosts).toEqual([0, 0.05, 0.1, 0.2, 0.3]);
    expect(policy.advisor).toMatchObject({ timeoutMs: 30_000, maxRetries: 1 });
  });

  it.each([
    [{ rate_limit_per_hour: -1 }, "rate_limit_per_hour"],
    [{ cooldown: 5 }, ""],
    [{ bandit: { enabled: true, exploration: 0.9 } }, "bandit.exploration"],
    [{ freeze_windows: [{ days: ["mon"], from_time: "25:00", to_time: "01:00" }] }, "freeze_windows.0"],
    [{ advisor: { base_url: "file:///etc/passwd" } }, "advisor.base_url"],
    [{ reward: { action_costs: { launch: 1 } } }, "reward.action_costs"],
    [{ slack_webhook_env: "SLACK_URL" }, ""],
  ])("rejects %j, naming the field", (section, field) => {
    const result = PolicySpec.safeParse(section);

    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path.join(".")).toContain(field);
  });

  it("overrides costs per action and keeps the others' defaults", () => {
    const policy = resolvePolicy(PolicySpec.parse({ reward: { action_costs: { rollback: 1 } } }));

    expect(policy.reward.actionCosts).toEqual([0, 0.05, 0.1, 1, 0.3]);
  });
});

describe("computeGuardrailHold: which guardrail holds automated actions back, and until when", () => {
  const hold = (opts: Parameters<typeof run>[1] & { incident?: Partial<Incident> } = {}) =>
    computeGuardrailHold(makeIncident(opts.incident ?? {}), {
      policy: resolvePolicy(opts.spec),
      now: opts.now ?? NOW,
      recentAutomated: opts.recent ?? [],
      quarantinedDigests: new Set(),
    });
  const iso = (t: number) => new Date(t).toISOString();

  it.each<[string, Parameters<typeof hold>[0], string, string | null]>([
    // The default cooldown is 15 minutes after the latest action on the model.
    [
      "a rollback 5 min ago",
      { recent: [rollbackAt(30, "production", "other"), rollbackAt(5)] },
      "cooldown",
      iso(NOW.getTime() + 10 * MIN),
    ],
    [
      "three actions in the hour (the default limit)",
      {
        recent: [
          rollbackAt(50, "production", "a"),
          rollbackAt(40, "production", "b"),
          rollbackAt(20, "production", "c"),
        ],
      },
      "rate_limited",
      // The limit lets go when the oldest of the three leaves the hour.
      iso(NOW.getTime() + 10 * MIN),
    ],
    [
      "a rate limit of 2 with three actions in the hour",
      {
        spec: { rate_limit_per_hour: 2 },
        recent: [
          rollbackAt(50, "production", "a"),
          rollbackAt(40, "production", "b"),
          rollbackAt(20, "production", "c"),
        ],
      },
      "rate_limited",
      // Two of them must leave: the second newest, 40 minutes ago.
      iso(NOW.getTime() + 20 * MIN),
    ],
    [
      "an absolute freeze",
      { spec: { freeze_windows: [{ from: "2026-03-04T09:00:00Z", to: "2026-03-04T12:30:00Z" }] } },
      "freeze_window",
      "2026-03-04T12:30:00.000Z",
    ],
    [
      "a weekly daytime freeze",
      { spec: { freeze_windows: [{ days: ["wed"], from_time: "08:00", to_time: "18:00" }] } },
      "freeze_window",
      "2026-03-04T18:00:00.000Z",
    ],
    [
      "a weekly overnight freeze, before midnight",
      {
        now: new Date("2026-03-04T23:00:00Z"),
        spec: { freeze_windows: [{ days: ["wed"], from_time: "22:00", to_time: "06:00" }] },
      },
      "freeze_window",
      "2026-03-05T06:00:00.000Z",
    ],
    [
      "a weekly overnight freeze, after midnight",
      {
        now: new Date("2026-03-05T02:00:00Z"),
        spec: { freeze_windows: [{ days: ["wed"], from_time: "22:00", to_time: "06:00" }] },
      },
      "freeze_window",
      "2026-03-05T06:00:00.000Z",
    ],
  ])("%s → %s until %s", (_name, opts, guardrail, liftsAt) => {
    const result = hold(opts);

    expect(result?.guardrail).toBe(guardrail);
    expect(result?.liftsAt?.toISOString() ?? null).toBe(liftsAt);
  });

  it.each<[string, Parameters<typeof hold>[0]]>([
    ["nothing recent", {}],
    ["a rollback 20 min ago (cooldown over)", { recent: [rollbackAt(20)] }],
    ["a rollback in another environment", { recent: [rollbackAt(5, "staging")] }],
    [
      "a freeze window that has ended",
      { spec: { freeze_windows: [{ from: "2026-03-04T08:00:00Z", to: "2026-03-04T10:00:00Z" }] } },
    ],
  ])("holds nothing with %s", (_name, opts) => {
    expect(hold(opts)).toBeUndefined();
  });
});
