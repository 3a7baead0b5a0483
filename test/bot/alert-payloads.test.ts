/**
 * Alert payloads from each sender normalise to the same notice; fixtures
 * follow the formats documented by Alertmanager (webhook v4), Grafana
 * (unified alerting webhook) and our server event schema.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AlertPayloadError, kindOf, normalizeAlertPayload, noticeKey } from "../../src/bot/alert-payloads.js";
import { isAuthorizedAlert } from "../../src/bot/alert-route.js";
import { createSeenKeys } from "../../src/bot/dedup.js";

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/bot/${name}`, import.meta.url), "utf8"));

describe("normalizeAlertPayload", () => {
  it.each([
    {
      file: "alertmanager-firing.json",
      expected: {
        source: "alertmanager",
        status: "firing",
        fingerprint: "c8f2a1d93b4e5f60",
        environment: "production",
        repository: "acme/models",
        severity: "critical",
        kind: "error_rate",
        truncated: 0,
      },
    },
    {
      file: "alertmanager-resolved.json",
      expected: {
        source: "alertmanager",
        status: "resolved",
        fingerprint: "c8f2a1d93b4e5f60",
        endsAt: "2026-11-28T01:20:00.000Z",
      },
    },
    {
      file: "alertmanager-truncated.json",
      expected: { severity: "warning", kind: "latency", truncated: 7, environment: "staging" },
    },
    {
      file: "grafana-firing.json",
      expected: { source: "grafana", kind: "drift", severity: "warning", fingerprint: "5e2a9c1f0b7d3e44" },
    },
    {
      file: "server-rollout-aborted.json",
      expected: {
        source: "server",
        kind: "rollout_aborted",
        severity: "critical",
        fingerprint: "evt-qa-20261128T011500Z-0001",
        badDigest: `sha256:${"3".repeat(64)}`,
      },
    },
  ])("$file", ({ file, expected }) => {
    const [notice, ...rest] = normalizeAlertPayload(fixture(file));

    expect(rest).toEqual([]);
    expect(notice).toMatchObject(expected);
  });

  it("keeps measured values of an alert as metric evidence", () => {
    const [notice] = normalizeAlertPayload(fixture("alertmanager-firing.json"));
    expect(notice?.evidence).toContainEqual({
      id: "m:value",
      kind: "metric",
      text: "value 0.052 against threshold 0.01",
      value: 0.052,
      threshold: 0.01,
      direction: "above",
    });
  });

  const A = `sha256:${"a".repeat(64)}`;
  const B = `sha256:${"b".repeat(64)}`;
  const loadFailed = (digests: Record<string, string | null>) => ({
    id: "evt-load-1",
    type: "model.load_failed",
    environment: "staging",
    model: "churn",
    digests,
    evidence: [{ id: "load_error", text: "blob missing" }],
    timestamp: "2026-11-28T01:00:00Z",
  });

  it.each([
    {
      case: "a candidate that fails to load while the stable serves",
      digests: { stable: A, candidate: B, serving: A, at_fault: B },
      bad: B,
    },
    {
      case: "a stable that fails to load on a restart",
      digests: { stable: A, candidate: null, serving: null, at_fault: A },
      bad: A,
    },
    {
      case: "an older server's event (the failing model under candidate, no at_fault)",
      digests: { stable: A, candidate: B, serving: A },
      bad: B,
    },
  ])("blames the model that failed to load, never the serving one: $case", ({ digests, bad }) => {
    const [notice] = normalizeAlertPayload(loadFailed(digests));
    expect(notice).toMatchObject({ kind: "load_failed", badDigest: bad });
  });

  it.each([
    { name: "an array", body: [], message: /expected a JSON object/ },
    { name: "an unknown shape", body: { hello: 1 }, message: /unrecognised payload/ },
    {
      name: "an Alertmanager alert without labels",
      body: {
        version: "4",
        groupKey: "g",
        status: "firing",
        receiver: "r",
        alerts: [{ status: "firing", startsAt: "x" }],
      },
      message: /alerts\.0\.labels/,
    },
    { name: "a server event of an unknown type", body: { type: "model.exploded" }, message: /server event/ },
  ])("rejects $name naming the field", ({ body, message }) => {
    expect(() => normalizeAlertPayload(body)).toThrow(AlertPayloadError);
    expect(() => normalizeAlertPayload(body)).toThrow(message);
  });

  it("gives firing and resolved of one alert different keys, and repeats the same key", () => {
    const [firing] = normalizeAlertPayload(fixture("alertmanager-firing.json"));
    const [again] = normalizeAlertPayload(fixture("alertmanager-firing.json"));
    const [resolved] = normalizeAlertPayload(fixture("alertmanager-resolved.json"));
    expect(noticeKey(firing!)).toBe(noticeKey(again!));
    expect(noticeKey(firing!)).not.toBe(noticeKey(resolved!));
  });
});

describe("kindOf", () => {
  it.each([
    [{ kind: "accuracy", alertname: "Whatever" }, "accuracy"],
    [{ alertname: "FeatureDrift" }, "drift"],
    [{ alertname: "ModelErrorRateHigh" }, "error_rate"],
    [{ alertname: "P99LatencyHigh" }, "latency"],
    [{ alertname: "CanaryAborted" }, "rollout_aborted"],
    [{ alertname: "ModelLoadFailing" }, "load_failed"],
    [{ alertname: "Weird" }, "anomaly"],
    [{ kind: "not-a-kind", alertname: "Weird" }, "anomaly"],
  ])("%o → %s", (labels, kind) => {
    expect(kindOf(labels)).toBe(kind);
  });
});

describe("isAuthorizedAlert", () => {
  const body = Buffer.from('{"a":1}');
  it.each([
    { name: "the bearer token", headers: { authorization: "Bearer t0k" }, ok: true },
    { name: "bearer in another case", headers: { authorization: "bearer t0k" }, ok: true },
    { name: "a wrong token", headers: { authorization: "Bearer t0kx" }, ok: false },
    {
      name: "a made-up HMAC signature",
      headers: {
        "x-meta-controller-signature-256":
          "sha256=3d3d84d0d9fd7b4a3ebc4ae9df9a3e2b66330c4de0dc2fe7b3a4e1c5bfea3d51",
      },
      ok: false,
    },
    { name: "nothing", headers: {}, ok: false },
  ])("$name → $ok", ({ headers, ok }) => {
    expect(isAuthorizedAlert(headers, body, "t0k", "s3cret")).toBe(ok);
  });

  it("accepts a correct HMAC-SHA256 of the timestamp and body, made within five minutes", async () => {
    const { createHmac } = await import("node:crypto");
    const now = Date.parse("2026-11-28T03:00:00.000Z");
    const stamp = now / 1000 - 60;
    const sign = (ts: number, text: Buffer) =>
      `sha256=${createHmac("sha256", "s3cret").update(`${ts}.${text.toString()}`).digest("hex")}`;
    const headers = (ts: number, text = body) => ({
      "x-meta-controller-timestamp": String(ts),
      "x-meta-controller-signature-256": sign(ts, text),
    });
    expect(isAuthorizedAlert(headers(stamp), body, undefined, "s3cret", now)).toBe(true);
    expect(isAuthorizedAlert(headers(stamp), Buffer.from("{}"), undefined, "s3cret", now)).toBe(false);
    expect(isAuthorizedAlert(headers(now / 1000 - 301), body, undefined, "s3cret", now)).toBe(false);
    expect(isAuthorizedAlert(headers(now / 1000 + 301), body, undefined, "s3cret", now)).toBe(false);
    const untimed = `sha256=${createHmac("sha256", "s3cret").update(body).digest("hex")}`;
    expect(
      isAuthorizedAlert({ "x-meta-controller-signature-256": untimed }, body, undefined, "s3cret", now),
    ).toBe(false);
  });
});

describe("createSeenKeys", () => {
  it("lets a key through once per window", () => {
    const seen = createSeenKeys(1000, 10);
    expect([seen.firstSeen("a", 0), seen.firstSeen("a", 500), seen.firstSeen("a", 1500)]).toEqual([
      true,
      false,
      true,
    ]);
  });
});
