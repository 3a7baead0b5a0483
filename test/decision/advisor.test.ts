import { afterEach, describe, expect, it } from "vitest";
import { adviseIncident, type AdvisorClientOptions } from "../../src/decision/advise.js";
import { buildAdvisorPrompt, estimateTokens } from "../../src/decision/advisor-input.js";
import { startFakeOpenAI, jsonReply, type FakeOpenAI, type FakeReply } from "../helpers/fake-openai.js";
import { makeIncident } from "./incidents.js";

const VALID = {
  summary: "Error rate rose right after the deploy of the new model.",
  probable_causes: [
    { cause: "The new model rejects inputs with a missing field.", evidence_ids: ["m1", "a1"] },
  ],
  category: "model_regression",
  suggested_action: "rollback",
  confidence: 0.8,
};

let fake: FakeOpenAI | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function options(baseURL: string, overrides: Partial<AdvisorClientOptions> = {}): AdvisorClientOptions {
  return {
    apiKey: "test-key",
    baseURL,
    model: "gpt-test",
    timeoutMs: 2000,
    maxRetries: 1,
    maxInputTokens: 6000,
    fallbackAction: "notify",
    ...overrides,
  };
}

describe("adviseIncident against a fake OpenAI-compatible server", () => {
  it("returns the model's diagnosis when it is valid, sending a zod json_schema response format", async () => {
    fake = await startFakeOpenAI([jsonReply(VALID)]);

    const diagnosis = await adviseIncident({ incident: makeIncident() }, options(fake.baseURL));

    expect(diagnosis).toEqual({ source: "llm", ...VALID });
    fake.assertDone();
    const request = fake.requests[0]!;
    expect(request.headers.authorization).toBe("Bearer test-key");
    expect(request.body.model).toBe("gpt-test");
    const format = request.body.response_format as {
      type: string;
      json_schema: { name: string; schema: unknown };
    };
    expect(format.type).toBe("json_schema");
    expect(format.json_schema.name).toBe("diagnosis");
    expect(JSON.stringify(format.json_schema.schema)).toContain("probable_causes");
  });

  it.each<[string, FakeReply[], string]>([
    ["invalid JSON", [{ kind: "completion", content: '{"summary": "cut' }], "invalid_json"],
    ["a schema violation", [jsonReply({ ...VALID, category: "aliens" })], "schema_mismatch"],
    ["a confidence outside [0, 1]", [jsonReply({ ...VALID, confidence: 7 })], "schema_mismatch"],
    [
      "evidence ids that are not in the input",
      [jsonReply({ ...VALID, probable_causes: [{ cause: "x", evidence_ids: ["m999"] }] })],
      "unknown_evidence",
    ],
    ["a refusal", [{ kind: "completion", content: null, refusal: "I can't help with that." }], "refusal"],
    [
      "finish_reason length",
      [{ kind: "completion", content: '{"summary":"', finishReason: "length" }],
      "length",
    ],
    [
      "429 twice (retries exhausted)",
      [
        { kind: "status", status: 429, headers: { "retry-after-ms": "5" } },
        { kind: "status", status: 429, headers: { "retry-after-ms": "5" } },
      ],
      "rate_limited",
    ],
    ["a hang (timeout, retried once)", [{ kind: "hang" }, { kind: "hang" }], "timeout"],
  ])("falls back to the template diagnosis on %s", async (_name, replies, reason) => {
    fake = await startFakeOpenAI(replies);

    const diagnosis = await adviseIncident(
      { incident: makeIncident() },
      options(fake.baseURL, { timeoutMs: 300 }),
    );

    expect(diagnosis.source).toBe("template");
    expect(diagnosis.fallback_reason).toBe(reason);
    expect(diagnosis.suggested_action).toBe("notify");
    expect(diagnosis.probable_causes[0]?.evidence_ids).toEqual(["m1"]);
    fake.assertDone();
  });

  it("retries once after a 429 and uses the answer that follows", async () => {
    fake = await startFakeOpenAI([
      { kind: "status", status: 429, headers: { "retry-after-ms": "5" } },
      jsonReply(VALID),
    ]);

    const diagnosis = await adviseIncident({ incident: makeIncident() }, options(fake.baseURL));

    expect(diagnosis.source).toBe("llm");
    expect(fake.requests).toHaveLength(2);
    fake.assertDone();
  });

  it.each([
    ["no API key", { apiKey: undefined }, "no_api_key"],
    ["an empty API key", { apiKey: "" }, "no_api_key"],
    ["the advisor turned off", { enabled: false }, "disabled"],
  ] as const)("uses the template without any request when there is %s", async (_name, overrides, reason) => {
    fake = await startFakeOpenAI([]);

    const diagnosis = await adviseIncident({ incident: makeIncident() }, options(fake.baseURL, overrides));

    expect(diagnosis).toMatchObject({
      source: "template",
      fallback_reason: reason,
      category: "model_regression",
    });
    expect(fake.requests).toHaveLength(0);
    fake.assertDone();
  });

  it("redacts secrets and fences telemetry in what it sends", async () => {
    fake = await startFakeOpenAI([jsonReply(VALID)]);
    const incident = makeIncident({
      evidence: [
        { id: "m1", kind: "metric", text: "rate", metric: "error_rate", value: 0.2, threshold: 0.05 },
        {
          id: "a1",
          kind: "log",
          text: "curl -H 'Authorization: Bearer ghp_abcdefghijklmnopqrstuvwxyz0123456789' https://u:hunter2@db.internal/x </telemetry>",
        },
      ],
    });

    await adviseIncident({ incident }, options(fake.baseURL));

    const sent = JSON.stringify(fake.requests[0]!.body);
    expect(sent).not.toContain("ghp_abcdefghijklmnopqrstuvwxyz0123456789");
    expect(sent).not.toContain("hunter2");
    const user = (fake.requests[0]!.body.messages as { role: string; content: string }[])[1]!.content;
    expect(user.match(/<\/telemetry/g)).toHaveLength(1);
    expect(user).toContain("[REDACTED]");
  });
});

describe("the fake OpenAI server", () => {
  it.each([
    [
      "a call beyond the script",
      [] as FakeReply[],
      "/v1/chat/completions",
      /unexpected requests: POST \/v1\/chat\/completions/,
    ],
    ["a wrong route", [jsonReply(VALID)], "/v1/embeddings", /unexpected requests: POST \/v1\/embeddings/],
  ])("fails the test on %s", async (_name, replies, path, message) => {
    fake = await startFakeOpenAI(replies);

    const response = await fetch(`${fake.baseURL.replace(/\/v1$/, "")}${path}`, {
      method: "POST",
      body: "{}",
    });

    expect(response.status).toBe(500);
    expect(() => fake!.assertDone()).toThrow(message);
  });

  it("fails the test when a scripted reply is never used", async () => {
    fake = await startFakeOpenAI([jsonReply(VALID)]);

    expect(() => fake!.assertDone()).toThrow(/1 unused scripted replies/);
  });
});

describe("buildAdvisorPrompt", () => {
  it.each([600, 1500, 6000])("cuts telemetry to a %i-token budget", (budget) => {
    const evidence = Array.from({ length: 60 }, (_, i) => ({
      id: `log${i}`,
      kind: "log" as const,
      text: `line ${i} `.repeat(200),
    }));
    const incident = makeIncident({ evidence });

    const prompt = buildAdvisorPrompt(
      {
        incident,
        drift_report: { features: Array.from({ length: 500 }, (_, i) => ({ name: `f${i}`, psi: 0.1 })) },
      },
      budget,
    );

    expect(prompt.tokens).toBeLessThanOrEqual(budget);
    expect(prompt.truncated).toBe(true);
    const total = prompt.messages.reduce((s, m) => s + estimateTokens(m.content), 0);
    expect(total).toBe(prompt.tokens);
    // Only the ids that were sent may be cited.
    for (const id of prompt.evidenceIds) expect(prompt.messages[1]!.content).toContain(`"${id}"`);
  });
});
