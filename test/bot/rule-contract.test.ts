/**
 * The contract between the alert rules we render and the notices the bot
 * reads: for every rule `render prometheus-rules` emits for the example
 * environments, the alert Alertmanager would send — with a value on the bad
 * side of the threshold, and with a healthy one — normalises to the
 * incident kind the rule names, with evidence read the right way round. A
 * new rule cannot ship without the bot understanding it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { normalizeAlertPayload } from "../../src/bot/alert-payloads.js";
import { EnvironmentSpec } from "../../src/config/environment.js";
import { parseConfigText } from "../../src/config/load-yaml.js";
import { hasNoFaultEvidence, Incident, isBreach } from "../../src/decision/incident.js";
import { buildPrometheusRuleGroups, type AlertingRule } from "../../src/deploy/prometheus-rules.js";

const ENVIRONMENTS = new URL("../../environments/", import.meta.url);

function loadExampleEnvironments(): EnvironmentSpec[] {
  return readdirSync(ENVIRONMENTS)
    .filter((file) => file.endsWith(".yaml"))
    .map((file) => {
      const result = parseConfigText(
        file,
        readFileSync(new URL(file, ENVIRONMENTS), "utf8"),
        EnvironmentSpec,
      );
      if (!result.ok) throw new Error(`${file}: ${JSON.stringify(result.issues)}`);
      return result.config.value;
    });
}

/** A value on the bad (`breach`) or good side of a rule's threshold, the way the rule's expression compares. */
function valueFor(rule: AlertingRule, breach: boolean): number {
  const threshold = Number(rule.annotations.threshold);
  const lowIsBad = / < /.test(rule.expr.split(" and ")[0]!);
  const below = threshold * 0.5;
  const above = threshold === 0 ? 1 : threshold * 1.5;
  return breach === lowIsBad ? below : above;
}

/** The webhook body Alertmanager sends for one firing alert of `rule`, templates filled as Prometheus would. */
function alertmanagerBody(rule: AlertingRule, value: number): unknown {
  const annotations = Object.fromEntries(
    Object.entries(rule.annotations).map(([key, text]) => [key, text.replace("{{ $value }}", String(value))]),
  );
  const labels = { ...rule.labels, alertname: rule.alert, repository: "acme/models", version: "v2" };
  return {
    version: "4",
    groupKey: `{}:{alertname="${rule.alert}"}`,
    truncatedAlerts: 0,
    status: "firing",
    receiver: "meta-controller",
    groupLabels: { alertname: rule.alert },
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: "http://127.0.0.1:9093",
    alerts: [
      {
        status: "firing",
        labels,
        annotations,
        startsAt: "2026-11-28T01:00:00.000Z",
        endsAt: "0001-01-01T00:00:00Z",
        fingerprint: `fp-${rule.alert}`,
      },
    ],
  };
}

const rules = buildPrometheusRuleGroups(loadExampleEnvironments()).flatMap((group) => group.rules);
const measured = rules.filter((rule) => rule.annotations.threshold !== undefined);

describe("rendered rules → bot notices", () => {
  it("covers every measured check of the example environments", () => {
    expect(new Set(measured.map((r) => r.alert))).toEqual(
      new Set([
        "MetaControllerErrorRateHigh",
        "MetaControllerLatencyHigh",
        "MetaControllerDriftDetected",
        "MetaControllerAccuracyLow",
      ]),
    );
  });

  it.each(rules.map((rule) => [`${rule.labels.environment} ${rule.alert}`, rule] as const))(
    "%s maps to the kind and severity its labels state",
    (_name, rule) => {
      const [notice] = normalizeAlertPayload(alertmanagerBody(rule, 1));
      expect(notice).toMatchObject({ kind: rule.labels.kind, severity: rule.labels.severity });
    },
  );

  it.each(measured.map((rule) => [`${rule.labels.environment} ${rule.alert}`, rule] as const))(
    "%s: a breaching value is evidence of a fault, a healthy one is not",
    (_name, rule) => {
      for (const breach of [true, false]) {
        const [notice] = normalizeAlertPayload(alertmanagerBody(rule, valueFor(rule, breach)));
        const metric = notice!.evidence.find((e) => e.kind === "metric");
        expect(metric && isBreach(metric)).toBe(breach);
        const incident = Incident.parse({
          environment: rule.labels.environment,
          model: rule.labels.model,
          kind: notice!.kind,
          severity: notice!.severity,
          fingerprint: notice!.fingerprint,
          started_at: "2026-11-28T01:00:00.000Z",
          evidence: notice!.evidence,
          seconds_since_deploy: 60,
          canary_state: "none",
          stable_available: true,
          flap_count: 0,
          digests: { serving: null, stable: null, candidate: null },
        });
        expect(hasNoFaultEvidence(incident)).toBe(!breach);
      }
    },
  );

  it("reads an accuracy alert without a direction annotation (older rules) as bad below its threshold", () => {
    const rule = measured.find((r) => r.alert === "MetaControllerAccuracyLow")!;
    const { direction: _dropped, ...annotations } = rule.annotations;
    const [notice] = normalizeAlertPayload(alertmanagerBody({ ...rule, annotations }, 0.5911));
    const metric = notice!.evidence.find((e) => e.kind === "metric")!;
    expect(metric).toMatchObject({ value: 0.5911, direction: "below" });
    expect(isBreach(metric)).toBe(true);
  });
});
