/**
 * A labelled set of incidents that are not the engine's own: each case is
 * an environment (its file and a dated history in the repository), the
 * alerts sent about it — built from the rules `render prometheus-rules`
 * emits for that very file, or from events a real model server sent — and
 * the outcome its cause calls for. The label comes from the cause written
 * beside each case, never from the bot's rules.
 */
import { createHash } from "node:crypto";
import { EnvironmentSpec } from "../../src/config/environment.js";
import { parseConfigText } from "../../src/config/load-yaml.js";
import type { ServerEvent } from "../../src/deploy/events.js";
import { buildPrometheusRuleGroups, type AlertingRule } from "../../src/deploy/prometheus-rules.js";
import { MODEL } from "./bot-harness.js";
import type { CapturedServerEvents } from "./server-event-capture.js";

const digest = (c: string) => `sha256:${c.repeat(64)}`;
/** A (the older good stable), B (the newer stable), C (a candidate). */
export const L = { A: digest("a"), B: digest("b"), C: digest("c"), Z: digest("e") } as const;
const TAGS: Readonly<Record<string, string>> = { [L.A]: "v1", [L.B]: "v2", [L.C]: "v3", [L.Z]: "v0" };
const refOf = (d: string | null) => (d === null ? "null" : `${MODEL}:${TAGS[d]}@${d}`);

/** What the cause calls for. */
export type Expected =
  | { readonly outcome: "rollback"; readonly quarantine: string; readonly stable: string }
  | { readonly outcome: "abort"; readonly quarantine: string; readonly stable: string | null }
  | {
      readonly outcome: "none";
      /** A no-fault control: any action on it is a false alarm acted on. */
      readonly control: boolean;
      /** Whether people must be told (every firing incident); resolved-only notices need not. */
      readonly visible: boolean;
      /** The cause calls for a rollback, but the operator's policy forbids automation. */
      readonly held?: boolean;
    };

/** One version of the environment file in its history, oldest first. */
interface Version {
  readonly stable: string | null;
  readonly candidate: string | null;
  readonly ageMinutes: number;
}

/** One labelled case. */
export interface LabelledCase {
  /** Environment name; also the case's id. */
  readonly name: string;
  readonly cause: string;
  /** Why the label is what it is. */
  readonly rationale: string;
  readonly history: readonly Version[];
  readonly quarantine: readonly string[];
  readonly automatic: boolean;
  readonly policy: string;
  /** Alert bodies, sent in order. */
  readonly alerts: readonly object[];
  readonly expected: Expected;
}

/** The environment file of a case at one version. */
export function environmentText(
  c: Pick<LabelledCase, "name" | "quarantine" | "automatic" | "policy">,
  v: Version,
): string {
  return `name: ${c.name}
model: ${MODEL}
stable: ${refOf(v.stable)}
candidate: ${refOf(v.candidate)}
strategy: { type: canary, steps: [10, 50, 100], interval: 1m, max_failed_checks: 2 }
checks:
  min_requests: 50
  error_rate: { max: 0.02 }
  latency_p99: { max_ms: 250 }
  drift: { alpha: 0.01, window: 1000, min_samples: 200 }
  accuracy: { min: 0.72, min_samples: 100 }
rollback: { automatic: ${c.automatic}, merge: direct }
permissions: { deploy: write, rollback: write }
quarantine: [${c.quarantine.join(", ")}]
${c.policy}`;
}

function specOf(
  c: Pick<LabelledCase, "name" | "quarantine" | "automatic" | "policy">,
  v: Version,
): EnvironmentSpec {
  const parsed = parseConfigText(`${c.name}.yaml`, environmentText(c, v), EnvironmentSpec);
  if (!parsed.ok) throw new Error(`${c.name}: ${JSON.stringify(parsed.issues)}`);
  return parsed.config.value;
}

/** Alertmanager's fingerprint stand-in: a hash of the sorted label set. */
function fingerprintOf(labels: Readonly<Record<string, string>>): string {
  const text = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(",");
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

interface RuleAlert {
  readonly rule: string;
  /** Digest and version of the series (the `digest` label the rule joins in); none for rollout rules. */
  readonly blames?: string;
  readonly value?: number;
  readonly status?: "firing" | "resolved";
  readonly startsAt: Date;
}

/** The webhook body Alertmanager sends for one alert of a rendered rule, templates filled as Prometheus would. */
function ruleAlert(spec: EnvironmentSpec, alert: RuleAlert): object {
  const [group] = buildPrometheusRuleGroups([spec], { repository: "acme/models" });
  const rule: AlertingRule | undefined = group!.rules.find((r) => r.alert === alert.rule);
  if (rule === undefined) throw new Error(`${spec.name}: no rule ${alert.rule}`);
  const value = String(alert.value ?? 1);
  const labels: Record<string, string> = { ...rule.labels, alertname: rule.alert };
  if (alert.blames !== undefined) {
    labels.digest = alert.blames;
    labels.version = TAGS[alert.blames]!;
  }
  // Prometheus fills the templates: the value (formatting pipes aside) and the series' labels.
  const fill = (text: string) =>
    text
      .replace(/\{\{ \$value[^}]*\}\}/g, value)
      .replace(/\{\{ \$labels\.([a-z_]+) \}\}/g, (_m, key: string) => labels[key] ?? "");
  const annotations = Object.fromEntries(Object.entries(rule.annotations).map(([k, t]) => [k, fill(t)]));
  const status = alert.status ?? "firing";
  return {
    version: "4",
    groupKey: `{}:{alertname="${rule.alert}"}`,
    truncatedAlerts: 0,
    status,
    receiver: "meta-controller",
    groupLabels: { alertname: rule.alert },
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: "http://127.0.0.1:9093",
    alerts: [
      {
        status,
        labels,
        annotations,
        startsAt: alert.startsAt.toISOString(),
        endsAt:
          status === "resolved"
            ? new Date(alert.startsAt.getTime() + 60_000).toISOString()
            : "0001-01-01T00:00:00Z",
        generatorURL: "http://127.0.0.1:9090/graph",
        fingerprint: fingerprintOf(labels),
      },
    ],
  };
}

/**
 * A captured server event rebound to a case: its environment, the
 * repository, a fresh id, and the captured run's digests mapped onto the
 * case's (`map` from captured digest to case digest).
 */
function reboundEvent(
  event: ServerEvent,
  name: string,
  map: Readonly<Record<string, string | null>>,
  at: Date,
): object {
  const rebind = (d: string | null | undefined) => (d === null || d === undefined ? d : (map[d] ?? d));
  return {
    ...event,
    id: `${name}.${event.type}.${at.getTime()}`,
    repository: "acme/models",
    environment: name,
    model: MODEL,
    digests: {
      stable: rebind(event.digests.stable),
      candidate: rebind(event.digests.candidate),
      ...(event.digests.serving === undefined ? {} : { serving: rebind(event.digests.serving) }),
      ...(event.digests.at_fault === undefined ? {} : { at_fault: rebind(event.digests.at_fault) }),
    },
    timestamp: at.toISOString(),
  };
}

const OLD = 30 * 24 * 60;
const JUST = 10;

/** Histories: a stable long in place; a deploy A→B just now; a canary of C over an old B; a first deploy. */
const H = {
  steady: [
    { stable: L.A, candidate: null, ageMinutes: OLD + 60 },
    { stable: L.B, candidate: null, ageMinutes: OLD },
  ],
  deployed: [
    { stable: L.A, candidate: null, ageMinutes: OLD },
    { stable: L.B, candidate: null, ageMinutes: JUST },
  ],
  canary: [
    { stable: L.A, candidate: null, ageMinutes: OLD + 60 },
    { stable: L.B, candidate: null, ageMinutes: OLD },
    { stable: L.B, candidate: L.C, ageMinutes: JUST },
  ],
  firstDeploy: [
    { stable: null, candidate: null, ageMinutes: OLD },
    { stable: L.B, candidate: null, ageMinutes: JUST },
  ],
  chain: [
    { stable: L.Z, candidate: null, ageMinutes: OLD + 120 },
    { stable: L.A, candidate: null, ageMinutes: OLD + 60 },
    { stable: L.B, candidate: null, ageMinutes: JUST },
  ],
} satisfies Record<string, readonly Version[]>;

const BAD = { error: 0.091, accuracy: 0.5911, latency: 612, drift: 3.2e-9 } as const;
const HEALTHY = { error: 0.004, accuracy: 0.8412, latency: 88, drift: 0.41 } as const;

/** Builds the set; `now` dates the alerts and the histories, `events` are the captured server events. */
export function buildLabelledSet(now: Date, events: CapturedServerEvents): LabelledCase[] {
  const cases: LabelledCase[] = [];
  let n = 0;
  const add = (
    cause: string,
    rationale: string,
    history: readonly Version[],
    alerts: (spec: EnvironmentSpec, name: string) => object[],
    expected: Expected,
    extra: { quarantine?: string[]; automatic?: boolean; policy?: string } = {},
  ) => {
    n += 1;
    const name = `l${String(n).padStart(2, "0")}-${cause.replace(/_/g, "-")}`.slice(0, 60);
    const base = {
      name,
      quarantine: extra.quarantine ?? [],
      automatic: extra.automatic ?? true,
      policy: extra.policy ?? "",
    };
    const spec = specOf(base, history.at(-1)!);
    cases.push({ ...base, cause, rationale, history, alerts: alerts(spec, name), expected });
  };
  const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000);
  const rule =
    (r: string, blames: string | undefined, value: number | undefined, extra: Partial<RuleAlert> = {}) =>
    (spec: EnvironmentSpec) => [
      ruleAlert(spec, {
        rule: r,
        ...(blames ? { blames } : {}),
        ...(value === undefined ? {} : { value }),
        startsAt: at(2),
        ...extra,
      }),
    ];
  const { digests: cap } = events;
  const event =
    (e: ServerEvent, map: Record<string, string | null>) => (_s: EnvironmentSpec, name: string) => [
      reboundEvent(e, name, map, at(1)),
    ];
  const rollbackBA = { outcome: "rollback", quarantine: L.B, stable: L.A } as const;
  const abortC = { outcome: "abort", quarantine: L.C, stable: L.B } as const;
  const told = { outcome: "none", control: false, visible: true } as const;
  const control = { outcome: "none", control: true, visible: true } as const;

  for (let i = 0; i < 4; i++) {
    add(
      "bad_deploy_errors",
      "B went out minutes ago and now fails requests above error_rate.max: the deploy broke it; go back to A, keep B out.",
      H.deployed,
      rule("MetaControllerErrorRateHigh", L.B, BAD.error + i / 100),
      rollbackBA,
    );
  }
  for (let i = 0; i < 3; i++) {
    add(
      "bad_deploy_accuracy",
      "B went out minutes ago and its live accuracy is below accuracy.min: the deploy made predictions worse.",
      H.deployed,
      rule("MetaControllerAccuracyLow", L.B, BAD.accuracy - i / 100),
      rollbackBA,
    );
  }
  add(
    "bad_deploy_chain",
    "B went out minutes ago and fails; the last good stable before it is A, not the older Z.",
    H.chain,
    rule("MetaControllerErrorRateHigh", L.B, BAD.error),
    rollbackBA,
  );
  add(
    "bad_deploy_chain_quarantined",
    "B went out minutes ago and fails; A is quarantined, so the last good is Z.",
    H.chain,
    rule("MetaControllerErrorRateHigh", L.B, BAD.error),
    { outcome: "rollback", quarantine: L.B, stable: L.Z },
    { quarantine: [L.A] },
  );
  for (let i = 0; i < 3; i++) {
    add(
      "bad_canary_errors",
      "C is in canary and its own series fails requests: C is bad; abort it, keep B.",
      H.canary,
      rule("MetaControllerErrorRateHigh", L.C, BAD.error + i / 100),
      abortC,
    );
    add(
      "bad_canary_accuracy",
      "C is in canary and its live accuracy is below accuracy.min: abort C.",
      H.canary,
      rule("MetaControllerAccuracyLow", L.C, BAD.accuracy - i / 100),
      abortC,
    );
  }
  for (let i = 0; i < 2; i++) {
    add(
      "slow_canary",
      "C is in canary and its p99 is over latency_p99.max_ms: the rollout's own check would fail it; abort C.",
      H.canary,
      rule("MetaControllerLatencyHigh", L.C, BAD.latency + i),
      abortC,
    );
    add(
      "rollout_aborted_rule",
      "The server aborted C's rollout and Git still names C: reconcile Git (abort C).",
      H.canary,
      rule("MetaControllerRolloutAborted", undefined, 1),
      abortC,
    );
    add(
      "stable_errors_during_canary",
      "B (long in place) fails while C is in canary at 10 %: C did not cause B's errors; a person must look, C must not be blamed.",
      H.canary,
      rule("MetaControllerErrorRateHigh", L.B, BAD.error),
      told,
    );
    add(
      "errors_long_after_deploy",
      "B has served for a month and now fails: nothing was deployed, so going back to A is no cure; tell people.",
      H.steady,
      rule("MetaControllerErrorRateHigh", L.B, BAD.error + i / 100),
      told,
    );
    add(
      "slow_after_deploy_warning",
      "B went out minutes ago and p99 is over the limit: a warning by the rule's own severity; tell people.",
      H.deployed,
      rule("MetaControllerLatencyHigh", L.B, BAD.latency),
      told,
    );
    add(
      "drift_stable",
      "The inputs of B drifted: the data changed, not the model; explain it, roll nothing back.",
      H.steady,
      rule("MetaControllerDriftDetected", L.B, BAD.drift),
      told,
    );
    add(
      "first_deploy_errors",
      "B is the first model ever deployed and fails: there is nothing to go back to; tell people.",
      H.firstDeploy,
      rule("MetaControllerErrorRateHigh", L.B, BAD.error),
      told,
    );
    add(
      "freeze_window",
      "B went out minutes ago and fails, but the environment is in a freeze: no automation; tell people it is held.",
      H.deployed,
      rule("MetaControllerErrorRateHigh", L.B, BAD.error),
      { outcome: "none", control: false, visible: true, held: true },
      {
        policy: `policy:\n  freeze_windows:\n    - { from: "${at(60 * 24).toISOString()}", to: "${at(-60 * 24).toISOString()}" }\n`,
      },
    );
    add(
      "resolved_only",
      "Alertmanager says an alert we never saw firing is resolved: nothing to do and nothing to say.",
      H.deployed,
      rule("MetaControllerErrorRateHigh", L.B, HEALTHY.error, { status: "resolved" }),
      { outcome: "none", control: true, visible: false },
    );
  }
  add(
    "drift_candidate",
    "The inputs of C's window drifted during its canary: data, not model; explain it.",
    H.canary,
    rule("MetaControllerDriftDetected", L.C, BAD.drift),
    told,
  );
  add(
    "automatic_off",
    "B went out minutes ago and fails, but the environment turns automatic rollback off: ask a person.",
    H.deployed,
    rule("MetaControllerErrorRateHigh", L.B, BAD.error),
    { outcome: "none", control: false, visible: true, held: true },
    { automatic: false },
  );
  add(
    "last_good_quarantined",
    "B went out and fails; its only predecessor A is quarantined: nowhere to go; tell people.",
    H.deployed,
    rule("MetaControllerErrorRateHigh", L.B, BAD.error),
    told,
    { quarantine: [L.A] },
  );
  for (const [r, v] of [
    ["MetaControllerErrorRateHigh", HEALTHY.error],
    ["MetaControllerAccuracyLow", HEALTHY.accuracy],
    ["MetaControllerLatencyHigh", HEALTHY.latency],
    ["MetaControllerDriftDetected", HEALTHY.drift],
  ] as const) {
    add(
      "healthy_value_after_deploy",
      `A ${r} notification whose value is on the healthy side (a rule evaluated on a boundary, a stale sample): no fault.`,
      H.deployed,
      rule(r, L.B, v),
      control,
    );
    add(
      "healthy_value_canary",
      `A ${r} notification about C whose value is healthy: no fault, the canary goes on.`,
      H.canary,
      rule(r, L.C, v),
      control,
    );
  }
  add(
    "duplicate_delivery",
    "Alertmanager delivers the same alert twice (a retry): one rollback, not two.",
    H.deployed,
    (spec) => [
      ...rule("MetaControllerErrorRateHigh", L.B, BAD.error)(spec),
      ...rule("MetaControllerErrorRateHigh", L.B, BAD.error)(spec),
    ],
    rollbackBA,
  );
  add(
    "flapping_warning",
    "A latency warning on B (long in place) fires and clears five times in an hour: noise; tell people, act on nothing.",
    H.steady,
    (spec) =>
      [0, 1, 2, 3, 4].flatMap((k) => [
        ruleAlert(spec, {
          rule: "MetaControllerLatencyHigh",
          blames: L.B,
          value: BAD.latency,
          startsAt: at(50 - 10 * k),
        }),
        ruleAlert(spec, {
          rule: "MetaControllerLatencyHigh",
          blames: L.B,
          value: BAD.latency,
          status: "resolved",
          startsAt: at(50 - 10 * k),
        }),
      ]),
    told,
  );

  // The server's own events, captured from a real server and rebound to each case.
  for (let i = 0; i < 3; i++) {
    add(
      "server_candidate_load_failed",
      "The server cannot load C (the canary's candidate) and keeps B serving: C is broken; abort it, never touch B.",
      H.canary,
      event(events.candidateLoadFailed, { [cap.stable]: L.B, [cap.missing]: L.C }),
      abortC,
    );
    add(
      "server_stable_load_failed",
      "B went out minutes ago and the server cannot load it: go back to A, keep B out.",
      H.deployed,
      event(events.stableLoadFailed, { [cap.stable]: L.A, [cap.missing]: L.B }),
      rollbackBA,
    );
    add(
      "server_rollout_aborted",
      "The server's guard aborted C's canary: reconcile Git (abort C, B stays).",
      H.canary,
      event(events.rolloutAborted, { [cap.stable]: L.B, [cap.candidate]: L.C }),
      abortC,
    );
  }
  for (let i = 0; i < 2; i++) {
    add(
      "server_rollout_completed",
      "The server finished C's canary with every check passing: nothing is wrong; say so.",
      H.canary,
      event(events.rolloutCompleted, { [cap.stable]: L.B, [cap.candidate]: L.C }),
      control,
    );
    add(
      "server_drift_detected",
      "The server saw B's inputs drift: data changed; explain it, roll nothing back.",
      H.steady,
      event(events.driftDetected, { [cap.stable]: L.B }),
      told,
    );
  }
  add(
    "older_server_load_failed",
    "A server that predates `at_fault` reports C failing to load under `candidate`: abort C, never B.",
    H.canary,
    (_s, name) => {
      const e = reboundEvent(
        events.candidateLoadFailed,
        name,
        { [cap.stable]: L.B, [cap.missing]: L.C },
        at(1),
      ) as { digests: Record<string, unknown> };
      const { at_fault: _dropped, ...digests } = e.digests;
      return [{ ...e, digests }];
    },
    abortC,
  );
  return cases;
}
