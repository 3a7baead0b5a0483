/**
 * Registry authentication: the `WWW-Authenticate` challenge of the
 * distribution API (Bearer token service, as GHCR and Docker Hub use, or
 * HTTP basic, as `docker-registry` with htpasswd uses).
 */
import { RegistryError } from "../common/errors.js";

/** Credentials for a registry. For GHCR: any username and a GitHub token as password. */
export interface RegistryCredentials {
  readonly username?: string;
  readonly password?: string;
  /** A ready bearer token (e.g. an identity token), sent to the token service as the password. */
  readonly token?: string;
}

/** A parsed `WWW-Authenticate` challenge. */
export interface AuthChallenge {
  /** Lower-case scheme: `bearer` or `basic`. */
  readonly scheme: string;
  /** Parameters (`realm`, `service`, `scope`, …), keys lower-cased. */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Parses the first challenge of a `WWW-Authenticate` header, e.g.
 * `Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:o/m:pull"`.
 * Quoted values may contain commas (scopes often do).
 */
export function parseAuthChallenge(header: string): AuthChallenge | undefined {
  const match = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/s.exec(header);
  if (match?.[1] === undefined) return undefined;
  const params: Record<string, string> = {};
  const rest = match[2] ?? "";
  const pattern = /([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?\s*/gy;
  let param: RegExpExecArray | null;
  while ((param = pattern.exec(rest)) !== null) {
    if (param[0] === "") break;
    const key = param[1];
    if (key === undefined) break;
    params[key.toLowerCase()] = param[2] !== undefined ? param[2].replace(/\\(.)/g, "$1") : (param[3] ?? "");
  }
  return { scheme: match[1].toLowerCase(), params };
}

/** `Basic base64(user:password)`. */
export function buildBasicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

/** Which credential to ask for, said the way a user fixes it. */
export function describeMissingCredential(credentials: RegistryCredentials, registry: string): string {
  if (credentials.password === undefined && credentials.token === undefined) {
    return `no credentials for ${registry}: set GITHUB_TOKEN (GHCR) or REGISTRY_PASSWORD, and --username`;
  }
  if (credentials.username === undefined) {
    return `credentials for ${registry} were rejected: pass --username (GHCR accepts your GitHub user name)`;
  }
  return `the credentials for ${registry} (user ${credentials.username}) were rejected or lack permission for this repository`;
}

/**
 * Asks a Bearer token service for a token for `challenge` (realm, service,
 * scope). Sends basic credentials when we have some; anonymous otherwise,
 * which public pulls accept.
 */
export async function fetchBearerToken(
  challenge: AuthChallenge,
  credentials: RegistryCredentials,
  fetchImpl: typeof fetch,
  registry: string,
  timeoutMs: number,
): Promise<string> {
  const realm = challenge.params.realm;
  if (!realm)
    throw new RegistryError(`${registry} sent a Bearer challenge without a realm; cannot authenticate`);
  let url: URL;
  try {
    url = new URL(realm);
  } catch (error) {
    throw new RegistryError(
      `${registry} sent a Bearer challenge with an invalid realm ${JSON.stringify(realm)}`,
      {
        cause: error,
      },
    );
  }
  if (challenge.params.service) url.searchParams.set("service", challenge.params.service);
  for (const scope of (challenge.params.scope ?? "").split(" ").filter(Boolean)) {
    url.searchParams.append("scope", scope);
  }
  const headers: Record<string, string> = { accept: "application/json" };
  const secret = credentials.password ?? credentials.token;
  if (secret !== undefined)
    headers.authorization = buildBasicAuthorization(credentials.username ?? "token", secret);
  let response: Response;
  try {
    response = await fetchImpl(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new RegistryError(`cannot reach the token service ${url.origin}${url.pathname} of ${registry}`, {
      cause: error,
    });
  }
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    throw new RegistryError(
      `the token service of ${registry} refused (HTTP ${response.status}): ${describeMissingCredential(credentials, registry)}`,
    );
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new RegistryError(
      `the token service of ${registry} answered HTTP ${response.status} for ${url.pathname}`,
    );
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw new RegistryError(`the token service of ${registry} did not answer JSON`, { cause: error });
  }
  const token =
    typeof body === "object" && body !== null
      ? "token" in body && typeof body.token === "string"
        ? body.token
        : "access_token" in body && typeof body.access_token === "string"
          ? body.access_token
          : undefined
      : undefined;
  if (!token) throw new RegistryError(`the token service of ${registry} answered without a token`);
  return token;
}
