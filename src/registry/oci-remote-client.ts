/**
 * The HTTP side of the remote back end: one request function for the OCI
 * distribution API v2 that answers the registry's `WWW-Authenticate`
 * challenge (Bearer token service or basic), keeps the authorization it
 * earned, times every request out, and turns failures into RegistryErrors
 * that say what was being done and what to fix.
 */
import { RegistryError } from "../common/errors.js";
import { sleep } from "../common/http/backoff.js";
import {
  type AuthChallenge,
  buildBasicAuthorization,
  describeMissingCredential,
  fetchBearerToken,
  parseAuthChallenge,
  type RegistryCredentials,
} from "./auth.js";

/** How to reach one registry. */
export interface RegistryClientOptions {
  /** `https://host[:port]`, or `http://` for loopback with `--insecure`. */
  readonly baseUrl: string;
  /** `oci://host/namespace`, for messages. */
  readonly description: string;
  readonly credentials: RegistryCredentials;
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
}

/** One request to the registry. */
export interface RegistryRequest {
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array;
  /** Statuses the caller handles itself; any other non-2xx becomes a RegistryError. */
  readonly allow?: readonly number[];
  /** What we were doing, for messages: `push blob sha256:… to churn`. */
  readonly what: string;
}

/** Sends a request (a path, or an absolute upload URL) and returns the answer, authenticated. */
export type RegistrySend = (method: string, target: string, init: RegistryRequest) => Promise<Response>;

/** Why a fetch threw (connection refused, DNS, timeout), said for a person. */
function describeNetworkError(error: unknown, url: string, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `no answer from ${url} within ${timeoutMs} ms`;
  }
  const cause = error instanceof Error ? error.cause : undefined;
  const code =
    typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string"
      ? cause.code
      : undefined;
  switch (code) {
    case "ECONNREFUSED":
      return `cannot connect to ${url}: connection refused; is the registry running?`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `cannot resolve the host of ${url} (${code})`;
    case "ECONNRESET":
      return `the connection to ${url} was reset`;
    default: {
      const reason = (
        cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error)
      ).trim();
      // A TLS handshake with a plain-http server fails with a protocol error.
      const hint =
        url.startsWith("https://") && (code === "EPROTO" || /ssl|tls/i.test(reason))
          ? "; if the registry speaks plain http on loopback, pass --insecure"
          : "";
      return `cannot reach ${url}: ${reason}${code === undefined ? "" : ` (${code})`}${hint}`;
    }
  }
}

/** The first `errors[]` entry of a distribution API error body, if any. */
async function readRegistryError(response: Response): Promise<string> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    return "";
  }
  try {
    const body = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    const first = body.errors?.[0];
    if (first) return `${first.code ?? "ERROR"}: ${first.message ?? ""}`.trim();
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return text.slice(0, 200).trim();
}

/** The `Authorization` header that answers a 401's challenge. */
async function answerChallenge(
  challenge: AuthChallenge | undefined,
  url: string,
  options: RegistryClientOptions,
): Promise<string> {
  const { credentials, description } = options;
  if (challenge?.scheme === "bearer") {
    return `Bearer ${await fetchBearerToken(challenge, credentials, options.fetch, description, options.timeoutMs)}`;
  }
  if (challenge?.scheme === "basic") {
    const secret = credentials.password ?? credentials.token;
    if (credentials.username === undefined || secret === undefined) {
      throw new RegistryError(
        `${url} requires basic auth (HTTP 401): ${describeMissingCredential(credentials, description)}`,
      );
    }
    return buildBasicAuthorization(credentials.username, secret);
  }
  throw new RegistryError(
    `${url} answered HTTP 401 without a Bearer or Basic challenge; cannot authenticate`,
  );
}

async function sendOnce(
  method: string,
  url: string,
  init: RegistryRequest,
  headers: Record<string, string>,
  options: RegistryClientOptions,
): Promise<Response> {
  try {
    return await options.fetch(url, {
      method,
      headers,
      ...(init.body === undefined ? {} : { body: init.body }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw new RegistryError(`${init.what}: ${describeNetworkError(error, url, options.timeoutMs)}`, {
      cause: error,
    });
  }
}

/** The answer when the caller may read it, else the RegistryError it deserves. */
async function checkAnswer(
  response: Response,
  url: string,
  init: RegistryRequest,
  options: RegistryClientOptions,
): Promise<Response> {
  if (response.status === 401 || response.status === 403) {
    const detail = await readRegistryError(response);
    throw new RegistryError(
      `${init.what}: HTTP ${response.status} from ${url}${detail ? ` (${detail})` : ""}: ${describeMissingCredential(options.credentials, options.description)}`,
    );
  }
  if (response.ok || init.allow?.includes(response.status)) return response;
  const detail = await readRegistryError(response);
  throw new RegistryError(`${init.what}: HTTP ${response.status} from ${url}${detail ? ` (${detail})` : ""}`);
}

/** Server errors a registry answers while another writer holds the same tag or blob (docker-registry's storage does). */
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504]);
/** Reads retried after a transient server error, with 50, 100, 200 ms between them. */
const TRANSIENT_READ_RETRIES = 3;

/** Whether to read again: a GET or HEAD (no side effect) that met a transient server error. */
function isRetriableRead(method: string, response: Response, retries: number): boolean {
  return (
    (method === "GET" || method === "HEAD") &&
    TRANSIENT_STATUSES.has(response.status) &&
    retries < TRANSIENT_READ_RETRIES
  );
}

/** The request function of one registry; it keeps the authorization the last challenge earned. */
export function createRegistrySend(options: RegistryClientOptions): RegistrySend {
  const registryOrigin = new URL(options.baseUrl).origin;
  /** Authorization earned from the last challenge; reused until the registry asks again. */
  let authorization: string | undefined;
  return async (method, target, init) => {
    const url = new URL(target, options.baseUrl).toString();
    let readRetries = 0;
    for (let attempt = 0; ; attempt += 1) {
      const headers: Record<string, string> = { ...init.headers };
      // Credentials go only to the registry itself, never to another origin an upload Location names.
      if (authorization !== undefined && new URL(url).origin === registryOrigin)
        headers.authorization = authorization;
      const response = await sendOnce(method, url, init, headers, options);
      if (response.status === 401 && attempt === 0) {
        await response.body?.cancel();
        const challenge = parseAuthChallenge(response.headers.get("www-authenticate") ?? "");
        authorization = await answerChallenge(challenge, url, options);
        continue;
      }
      if (isRetriableRead(method, response, readRetries)) {
        await response.body?.cancel();
        await sleep(50 * 2 ** readRetries);
        readRetries += 1;
        continue;
      }
      return checkAnswer(response, url, init, options);
    }
  };
}
