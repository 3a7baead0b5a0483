import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createRandom } from "../../src/common/random.js";
import { evaluateDecisionLog } from "../../src/decision/evaluate-log.js";
import { formatLogLine, parseDecisionLog } from "../../src/decision/decision-log.js";
import { PolicySpec } from "../../src/decision/policy-spec.js";
import { buildOutcomeRecord, processIncident } from "../../src/decision/process-incident.js";
import { jsonReply, startFakeOpenAI, type FakeOpenAI } from "../helpers/fake-openai.js";
import { STABLE, makeIncident } from "./incidents.js";

let fake: FakeOpenAI | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const base = {
  now: new Date("2026-03-02T10:10:00Z"),
  quarantinedDigests: [] as string[],
  allowedHosts: ["github.com"],
};

describe("processIncident", () => {
  it("with no API key: baseline decision, template diagnosis, a log line the fold accepts", async () => {
    const result = await processIncident(makeIncident(), {
      ...base,
      logText: "",
      random: createRandom(1),
      apiKey: undefined,
    });

    expect(result.decision).toMatchObject({
      action: "rollback",
      reason_code: "critical_after_deploy",
      propensity: 1,
    });
    expect(result.diagnosis).toMatchObject({ source: "template", fallback_reason: "no_api_key" });
    expect(result.markdown).toContain("**Decision:** `rollback`");
    expect(parseDecisionLog(result.logLine)).toEqual([result.record]);
  });

  it("asks the advisor through the configured endpoint and never rolls back to a quarantined digest", async () => {
    fake = await startFakeOpenAI([
      jsonReply({
        summary: "Roll back now.",
        probable_causes: [{ cause: "bad model", evidence_ids: ["m1"] }],
        category: "model_regression",
        suggested_action: "rollback",
        confidence: 1,
      }),
    ]);

    const result = await processIncident(makeIncident(), {
      ...base,
      quarantinedDigests: [STABLE],
      policySpec: { advisor: { base_url: fake.baseURL, model: "local" } },
      logText: "",
      random: createRandom(1),
      apiKey: "k",
      llm: {
        baseURL: undefined,
        model: undefined,
        allowedHosts: [new URL(fake.baseURL).host],
        allowedModels: [],
      },
    });

    fake.assertDone();
    expect(fake.requests[0]!.body.model).toBe("local");
    expect(result.diagnosis.source).toBe("llm");
    expect(result.decision.action).toBe("notify");
    expect(result.decision.reason_code).toBe("stable_quarantined");
  });

  it("rate-limits and cools down from the log it is given", async () => {
    let log = "";
    const actions: string[] = [];
    for (let i = 0; i < 5; i++) {
      const result = await processIncident(makeIncident({ fingerprint: `fp-${i}`, model: `m${i}` }), {
        ...base,
        now: new Date(base.now.getTime() + i * 60_000),
        logText: log,
        random: createRandom(i),
        apiKey: undefined,
      });
      log += result.logLine;
      actions.push(result.decision.action);
    }

    expect(actions).toEqual(["rollback", "rollback", "rollback", "notify", "notify"]);
  });

  it("writes a log that `policy evaluate` reads", async () => {
    let log = "";
    const start = base.now.getTime();
    for (let i = 0; i < 40; i++) {
      const now = new Date(start + i * 3_600_000);
      const incident = makeIncident({
        fingerprint: `fp-${i}`,
        severity: i % 2 === 0 ? "critical" : "warning",
        seconds_since_deploy: i % 3 === 0 ? 600 : 9e5,
      });
      const result = await processIncident(incident, {
        ...base,
        now,
        logText: log,
        random: createRandom(i),
        apiKey: undefined,
      });
      log += result.logLine;
      if (i % 4 !== 0) {
        log += formatLogLine(
          buildOutcomeRecord({
            fingerprint: incident.fingerprint,
            at: new Date(now.getTime() + 600_000),
            event: "resolved",
          }),
        );
      }
    }
    const path = join(mkdtempSync(join(tmpdir(), "bot-log-")), "decisions.jsonl");
    writeFileSync(path, log);

    const report = await evaluateDecisionLog({ logPaths: [path], now: new Date(start + 100 * 3_600_000) });

    expect(report.decisions).toBe(40);
    expect(report.settled).toBe(40);
    // Every decision was the baseline with propensity 1, so IPS of the baseline is the logged mean.
    expect(report.baseline.ips.value).toBeCloseTo(report.logged_value, 12);
    expect(report.baseline.matchRate).toBe(1);
  });
});

describe("PolicySpec JSON Schema", () => {
  it("describes every field, for editor completion", () => {
    const schema = z.toJSONSchema(PolicySpec, { io: "input" }) as Record<string, unknown>;
    const undocumented: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (node === null || typeof node !== "object") return;
      const n = node as Record<string, unknown>;
      const props = n.properties as Record<string, Record<string, unknown>> | undefined;
      if (props !== undefined) {
        for (const [key, child] of Object.entries(props)) {
          if (typeof child.description !== "string") undocumented.push(`${path}.${key}`);
          walk(child, `${path}.${key}`);
        }
      }
      for (const key of ["items", "anyOf", "oneOf"]) {
        const sub = n[key];
        if (Array.isArray(sub)) sub.forEach((s) => walk(s, path));
        else walk(sub, path);
      }
    };

    walk(schema, "policy");

    expect(schema.additionalProperties).toBe(false);
    expect(undocumented).toEqual([]);
  });
});
