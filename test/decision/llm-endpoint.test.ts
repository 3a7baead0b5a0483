import { describe, expect, it } from "vitest";
import {
  readLlmOperatorSettings,
  resolveLlmEndpoint,
  type LlmRepositoryChoice,
} from "../../src/decision/llm-endpoint.js";

const operator = readLlmOperatorSettings({
  OPENAI_API_KEY: "sk-x",
  OPENAI_BASE_URL: "https://llm.internal.example/v1",
  OPENAI_MODEL: "gpt-4o-mini",
  LLM_ALLOWED_HOSTS: "vllm.internal.example, 127.0.0.1:8000",
  LLM_ALLOWED_MODELS: "llama-3",
});

describe("resolveLlmEndpoint", () => {
  it.each<[string, LlmRepositoryChoice, string | { baseURL: string; model: string }]>([
    [
      "nothing chosen: the operator's",
      {},
      { baseURL: "https://llm.internal.example/v1", model: "gpt-4o-mini" },
    ],
    [
      "an allowed host",
      { baseUrl: "https://vllm.internal.example/v1" },
      { baseURL: "https://vllm.internal.example/v1", model: "gpt-4o-mini" },
    ],
    [
      "an allowed loopback port over http",
      { baseUrl: "http://127.0.0.1:8000/v1", model: "llama-3" },
      { baseURL: "http://127.0.0.1:8000/v1", model: "llama-3" },
    ],
    ["another host", { baseUrl: "https://evil.example/v1" }, "did not allow"],
    ["another port of an allowed loopback host", { baseUrl: "http://127.0.0.1:9000/v1" }, "did not allow"],
    ["plain http off loopback", { baseUrl: "http://vllm.internal.example/v1" }, "must use https"],
    ["credentials in the URL", { baseUrl: "https://u:p@vllm.internal.example/v1" }, "credentials"],
    ["a model not allowed", { model: "o1-pro" }, "not one the operator allowed"],
  ])("%s", (_name, repo, expected) => {
    const got = resolveLlmEndpoint(operator, repo);
    if (typeof expected === "string") {
      expect(got.ok).toBe(false);
      expect(got.ok ? "" : got.problem).toContain(expected);
    } else expect(got).toEqual({ ok: true, ...expected });
  });

  it("refuses an operator endpoint over plain http off loopback", () => {
    const plain = readLlmOperatorSettings({ OPENAI_BASE_URL: "http://llm.example/v1" });

    expect(resolveLlmEndpoint(plain, {})).toMatchObject({ ok: false });
  });

  it("without operator settings allows the OpenAI API alone, any model", () => {
    const none = readLlmOperatorSettings({});

    expect(resolveLlmEndpoint(none, { model: "gpt-5" })).toEqual({
      ok: true,
      baseURL: "https://api.openai.com/v1",
      model: "gpt-5",
    });
    expect(resolveLlmEndpoint(none, { baseUrl: "https://evil.example/v1" })).toMatchObject({ ok: false });
  });
});
