/**
 * Where the LLM advisor may send the operator's API key. The endpoint
 * belongs to the operator: the bot's environment names it (`OPENAI_BASE_URL`,
 * the openai SDK's own variable; `OPENAI_MODEL`) and may allow more hosts
 * and models (`LLM_ALLOWED_HOSTS`, `LLM_ALLOWED_MODELS`). A repository file
 * (`policy.advisor.base_url` and `.model` in an environment) may only choose
 * among those; anything else is refused, the key is not sent, and the
 * diagnosis falls back to the template with the reason shown.
 */

/** The operator's LLM settings, read from the bot's environment. */
export interface LlmOperatorSettings {
  /** `OPENAI_API_KEY`; without it the template is the diagnosis. */
  readonly apiKey: string | undefined;
  /** `OPENAI_BASE_URL`; the OpenAI API when unset. */
  readonly baseURL: string | undefined;
  /** `OPENAI_MODEL`: the model used when the repository names none. */
  readonly model: string | undefined;
  /** `LLM_ALLOWED_HOSTS`: further hosts (`host` or `host:port`) a repository may choose. */
  readonly allowedHosts: readonly string[];
  /** `LLM_ALLOWED_MODELS`: further models a repository may choose. */
  readonly allowedModels: readonly string[];
}

/** The SDK's default endpoint. */
export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";

/** The model when neither the operator nor the repository names one. */
export const DEFAULT_LLM_MODEL = "gpt-4o-mini";

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(/[\s,]+/)
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

/** Reads {@link LlmOperatorSettings} from the environment. */
export function readLlmOperatorSettings(env: NodeJS.ProcessEnv): LlmOperatorSettings {
  return {
    apiKey: env.OPENAI_API_KEY || undefined,
    baseURL: env.OPENAI_BASE_URL || undefined,
    model: env.OPENAI_MODEL || undefined,
    allowedHosts: list(env.LLM_ALLOWED_HOSTS).map((h) => h.toLowerCase()),
    allowedModels: list(env.LLM_ALLOWED_MODELS),
  };
}

/** What the repository asked for (`policy.advisor`). */
export interface LlmRepositoryChoice {
  readonly baseUrl?: string | undefined;
  readonly model?: string | undefined;
}

/** The endpoint to call, or why none may be called. */
export type LlmEndpoint =
  | { readonly ok: true; readonly baseURL: string; readonly model: string }
  | { readonly ok: false; readonly problem: string };

const LOOPBACK = new Set(["127.0.0.1", "::1", "[::1]", "localhost"]);

/** The host of an `http(s)` URL that may carry the key (HTTPS, or plain HTTP on loopback), or the problem. */
function checkUrl(url: string, who: string): { host: string } | { problem: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { problem: `${who} LLM base URL ${JSON.stringify(url)} is not a URL` };
  }
  // The host with its port: a second server on the same machine is another endpoint.
  const host = parsed.host.toLowerCase();
  if (parsed.username !== "" || parsed.password !== "")
    return { problem: `${who} LLM base URL must not carry credentials` };
  if (parsed.protocol === "https:") return { host };
  if (parsed.protocol === "http:" && LOOPBACK.has(parsed.hostname.toLowerCase())) return { host };
  return { problem: `${who} LLM base URL ${parsed.origin} must use https (plain http only on loopback)` };
}

/** Decides the endpoint and model for one call (pure). */
export function resolveLlmEndpoint(operator: LlmOperatorSettings, repo: LlmRepositoryChoice): LlmEndpoint {
  const operatorUrl = operator.baseURL ?? OPENAI_DEFAULT_BASE_URL;
  const own = checkUrl(operatorUrl, "the operator's (OPENAI_BASE_URL)");
  if ("problem" in own) return { ok: false, problem: own.problem };
  let baseURL = operatorUrl;
  if (repo.baseUrl !== undefined && repo.baseUrl.replace(/\/+$/, "") !== operatorUrl.replace(/\/+$/, "")) {
    const chosen = checkUrl(repo.baseUrl, "the repository's (policy.advisor.base_url)");
    if ("problem" in chosen) return { ok: false, problem: chosen.problem };
    if (chosen.host !== own.host && !operator.allowedHosts.includes(chosen.host))
      return {
        ok: false,
        problem: `the repository's policy.advisor.base_url names host ${chosen.host}, which the operator did not allow (OPENAI_BASE_URL, LLM_ALLOWED_HOSTS)`,
      };
    baseURL = repo.baseUrl;
  }
  const models = [operator.model, ...operator.allowedModels].filter((m): m is string => m !== undefined);
  if (repo.model !== undefined && models.length > 0 && !models.includes(repo.model))
    return {
      ok: false,
      problem: `the repository's policy.advisor.model ${JSON.stringify(repo.model)} is not one the operator allowed (OPENAI_MODEL, LLM_ALLOWED_MODELS)`,
    };
  return { ok: true, baseURL, model: repo.model ?? operator.model ?? DEFAULT_LLM_MODEL };
}
