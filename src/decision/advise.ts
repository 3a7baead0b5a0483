/**
 * L3, the LLM advisor: asks any OpenAI-compatible endpoint for a diagnosis
 * with `chat.completions.parse` and a zod response format, validates the
 * answer again locally, and falls back to the deterministic template on any
 * failure. The diagnosis is advice only: the engine uses its suggested action
 * to break ties inside the guardrails' mask, nothing more.
 */
import OpenAI, { APIConnectionTimeoutError, APIError, RateLimitError } from "openai";
import { ContentFilterFinishReasonError, LengthFinishReasonError } from "openai/error";
import { zodResponseFormat } from "openai/helpers/zod";
import type { Logger } from "../common/logger.js";
import type { Action } from "./actions.js";
import { buildAdvisorPrompt, type AdvisorInput } from "./advisor-input.js";
import { LlmDiagnosis, validateDiagnosis, type Diagnosis, type FallbackReason } from "./diagnosis.js";
import { buildTemplateDiagnosis } from "./template-diagnosis.js";

/** How to reach the model. The API key comes from the bot's environment, never from the repository. */
export interface AdvisorClientOptions {
  /** Without a key the template is the diagnosis. */
  readonly apiKey: string | undefined;
  readonly baseURL?: string;
  readonly model: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly maxInputTokens: number;
  /** `false` turns the LLM off even with a key. */
  readonly enabled?: boolean;
  /** Why the endpoint asked for may not receive the key (see `llm-endpoint.ts`); no call is made. */
  readonly endpointProblem?: string;
  /** Baseline action, suggested by the template diagnosis. */
  readonly fallbackAction: Action;
  readonly fetch?: typeof fetch;
  readonly logger?: Logger;
}

/** Maps an SDK failure to a fallback reason. */
export function classifyAdvisorError(error: unknown): FallbackReason {
  if (error instanceof LengthFinishReasonError) return "length";
  if (error instanceof ContentFilterFinishReasonError) return "content_filter";
  if (error instanceof APIConnectionTimeoutError) return "timeout";
  if (error instanceof RateLimitError) return "rate_limited";
  if (error instanceof SyntaxError) return "invalid_json";
  if (error instanceof Error && error.name === "ZodError") return "schema_mismatch";
  if (error instanceof APIError) return "api_error";
  return "api_error";
}

/** Gets a diagnosis for an incident; never throws for a model failure. */
export async function adviseIncident(input: AdvisorInput, options: AdvisorClientOptions): Promise<Diagnosis> {
  const fallback = (reason: FallbackReason): Diagnosis =>
    buildTemplateDiagnosis(input.incident, options.fallbackAction, reason);
  if (options.enabled === false) return fallback("disabled");
  if (options.apiKey === undefined || options.apiKey === "") return fallback("no_api_key");
  if (options.endpointProblem !== undefined) {
    options.logger?.warn({ problem: options.endpointProblem }, "LLM endpoint refused; using the template");
    return fallback("endpoint_not_allowed");
  }

  const prompt = buildAdvisorPrompt(input, options.maxInputTokens);
  const client = new OpenAI({
    apiKey: options.apiKey,
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
    ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  try {
    const completion = await client.chat.completions.parse({
      model: options.model,
      messages: prompt.messages.map((m) => ({ role: m.role, content: m.content })),
      // No temperature: some OpenAI-compatible reasoning models reject it, and the answer is validated anyway.
      response_format: zodResponseFormat(LlmDiagnosis, "diagnosis"),
    });
    const message = completion.choices[0]?.message;
    if (message === undefined) return fallback("schema_mismatch");
    if (message.refusal !== null && message.refusal !== undefined && message.refusal !== "") {
      return fallback("refusal");
    }
    const checked = validateDiagnosis(message.parsed, prompt.evidenceIds);
    if (!checked.ok) {
      options.logger?.warn(
        { problem: checked.problem.message },
        "LLM diagnosis rejected; using the template",
      );
      return fallback(checked.problem.reason);
    }
    return { source: "llm", ...checked.diagnosis };
  } catch (error) {
    const reason = classifyAdvisorError(error);
    options.logger?.warn({ reason, err: error }, "LLM diagnosis failed; using the template");
    return fallback(reason);
  }
}
