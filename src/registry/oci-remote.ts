/**
 * The remote back end: a client of the OCI distribution API v2 (GHCR, Docker
 * Hub, ECR, Harbor, `docker-registry`). Blobs go up monolithically or in
 * PATCH chunks, then the manifest under each tag. Authentication follows the
 * registry's `WWW-Authenticate` challenge (Bearer token service or basic).
 * Every request has a timeout, so a registry that stops answering fails the
 * command instead of hanging it.
 */
import { RegistryError } from "../common/errors.js";
import {
  type AuthChallenge,
  buildBasicAuthorization,
  describeMissingCredential,
  fetchBearerToken,
  parseAuthChallenge,
  type RegistryCredentials,
} from "./auth.js";
import { computeDigest } from "./digest.js";
import type { Blob } from "./manifest.js";
import { DOCKER_MANIFEST_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE } from "./media-types.js";
import { type ManifestWrite, type OciStore, TagExistsError } from "./oci-store.js";
import { remoteRepositoryName } from "./reference.js";

/** Options of {@link createRemoteStore}. */
export interface RemoteStoreOptions {
  /** `https://host[:port]`, or `http://` for loopback with `--insecure`. */
  readonly baseUrl: string;
  /** Repository prefix, e.g. `my-org/models`; may be empty. */
  readonly namespace: string;
  readonly credentials?: RegistryCredentials;
  /** HTTP client; the global fetch by default. */
  readonly fetch?: typeof fetch;
  /** Blobs larger than this are uploaded in PATCH chunks of this size. */
  readonly chunkSize?: number;
  /** Timeout of each HTTP request. */
  readonly timeoutMs?: number;
}

interface RequestOptions {
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array;
  /** Statuses the caller handles itself; any other non-2xx becomes a RegistryError. */
  readonly allow?: readonly number[];
  /** What we were doing, for messages: `push blob sha256:… to churn`. */
  readonly what: string;
}

const MANIFEST_ACCEPT = [OCI_MANIFEST_MEDIA_TYPE, DOCKER_MANIFEST_MEDIA_TYPE].join(", ");

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

/** The `rel="next"` target of a `Link` header (tag and catalog pagination). */
export function parseNextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(header);
  return match?.[1];
}

/** Creates the distribution-API store for `oci://host[:port]/namespace`. */
export function createRemoteStore(options: RemoteStoreOptions): OciStore {
  const fetchImpl = options.fetch ?? fetch;
  const credentials = options.credentials ?? {};
  const chunkSize = options.chunkSize ?? 8 * 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const host = new URL(options.baseUrl).host;
  const registryOrigin = new URL(options.baseUrl).origin;
  const refText = (repo: string, selector: string) =>
    selector.startsWith("sha256:") ? `${repo}@${selector}` : `${repo}:${selector}`;
  const description = `oci://${host}${options.namespace ? `/${options.namespace}` : ""}`;
  const path = (repo: string) => `/v2/${remoteRepositoryName(options.namespace, repo)}`;
  /** Authorization earned from the last challenge; reused until the registry asks again. */
  let authorization: string | undefined;

  async function answerChallenge(challenge: AuthChallenge | undefined, url: string): Promise<void> {
    if (challenge?.scheme === "bearer") {
      authorization = `Bearer ${await fetchBearerToken(challenge, credentials, fetchImpl, description, timeoutMs)}`;
      return;
    }
    if (challenge?.scheme === "basic") {
      const secret = credentials.password ?? credentials.token;
      if (credentials.username === undefined || secret === undefined) {
        throw new RegistryError(
          `${url} requires basic auth (HTTP 401): ${describeMissingCredential(credentials, description)}`,
        );
      }
      authorization = buildBasicAuthorization(credentials.username, secret);
      return;
    }
    throw new RegistryError(
      `${url} answered HTTP 401 without a Bearer or Basic challenge; cannot authenticate`,
    );
  }

  async function request(method: string, target: string, init: RequestOptions): Promise<Response> {
    const url = new URL(target, options.baseUrl).toString();
    for (let attempt = 0; ; attempt += 1) {
      const headers: Record<string, string> = { ...init.headers };
      // Credentials go only to the registry itself, never to another origin an upload Location names.
      if (authorization !== undefined && new URL(url).origin === registryOrigin)
        headers.authorization = authorization;
      let response: Response;
      try {
        response = await fetchImpl(url, {
          method,
          headers,
          ...(init.body === undefined ? {} : { body: init.body }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw new RegistryError(`${init.what}: ${describeNetworkError(error, url, timeoutMs)}`, {
          cause: error,
        });
      }
      if (response.status === 401 && attempt === 0) {
        await response.body?.cancel();
        await answerChallenge(parseAuthChallenge(response.headers.get("www-authenticate") ?? ""), url);
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        const detail = await readRegistryError(response);
        throw new RegistryError(
          `${init.what}: HTTP ${response.status} from ${url}${detail ? ` (${detail})` : ""}: ${describeMissingCredential(credentials, description)}`,
        );
      }
      if (response.ok || init.allow?.includes(response.status)) return response;
      const detail = await readRegistryError(response);
      throw new RegistryError(
        `${init.what}: HTTP ${response.status} from ${url}${detail ? ` (${detail})` : ""}`,
      );
    }
  }

  function uploadUrl(response: Response, what: string): string {
    const location = response.headers.get("location");
    if (!location)
      throw new RegistryError(`${what}: the registry answered ${response.status} without a Location header`);
    return new URL(location, options.baseUrl).toString();
  }

  function withDigest(location: string, digest: string): string {
    const url = new URL(location);
    url.searchParams.set("digest", digest);
    return url.toString();
  }

  async function getManifest(repo: string, selector: string): Promise<Uint8Array | undefined> {
    const response = await request("GET", `${path(repo)}/manifests/${selector}`, {
      headers: { accept: MANIFEST_ACCEPT },
      allow: [404],
      what: `pull manifest ${refText(repo, selector)} from ${description}`,
    });
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    return new Uint8Array(await response.arrayBuffer());
  }

  async function resolveTag(repo: string, tag: string): Promise<string | undefined> {
    const response = await request("HEAD", `${path(repo)}/manifests/${tag}`, {
      headers: { accept: MANIFEST_ACCEPT },
      allow: [404],
      what: `resolve ${repo}:${tag} in ${description}`,
    });
    if (response.status === 404) return undefined;
    const digest = response.headers.get("docker-content-digest");
    if (digest) return digest;
    // Some registries omit the header on HEAD; the bytes decide then.
    const bytes = await getManifest(repo, tag);
    if (bytes === undefined) return undefined;
    return computeDigest(bytes);
  }

  async function collectPages(first: string, what: string, key: "tags" | "repositories"): Promise<string[]> {
    const items: string[] = [];
    let next: string | undefined = first;
    while (next !== undefined) {
      const response: Response = await request("GET", next, { allow: [404], what });
      if (response.status === 404) {
        await response.body?.cancel();
        return items;
      }
      const body = (await response.json()) as Record<string, unknown>;
      const page = body[key];
      if (Array.isArray(page)) for (const item of page) if (typeof item === "string") items.push(item);
      next = parseNextLink(response.headers.get("link"));
    }
    return items;
  }

  return {
    description,

    async listRepositories() {
      const all = await collectPages("/v2/_catalog", `list repositories of ${description}`, "repositories");
      const prefix = options.namespace ? `${options.namespace}/` : "";
      return all.filter((name) => name.startsWith(prefix)).map((name) => name.slice(prefix.length));
    },

    async hasBlob(repo, digest) {
      const response = await request("HEAD", `${path(repo)}/blobs/${digest}`, {
        allow: [404],
        what: `check blob ${digest} of ${repo} in ${description}`,
      });
      return response.status !== 404;
    },

    async putBlob(repo: string, blob: Blob) {
      const { digest } = blob.descriptor;
      const what = `push blob ${digest} of ${repo} to ${description}`;
      const started = await request("POST", `${path(repo)}/blobs/uploads/`, { what });
      await started.body?.cancel();
      let location = uploadUrl(started, what);
      const octets = { "content-type": "application/octet-stream" };
      if (blob.bytes.byteLength <= chunkSize) {
        const done = await request("PUT", withDigest(location, digest), {
          headers: octets,
          body: blob.bytes,
          what,
        });
        await done.body?.cancel();
        return;
      }
      for (let start = 0; start < blob.bytes.byteLength; start += chunkSize) {
        const chunk = blob.bytes.subarray(start, Math.min(start + chunkSize, blob.bytes.byteLength));
        const patched = await request("PATCH", location, {
          headers: { ...octets, "content-range": `${start}-${start + chunk.byteLength - 1}` },
          body: chunk,
          what: `${what} (chunk at byte ${start})`,
        });
        await patched.body?.cancel();
        location = uploadUrl(patched, what);
      }
      const done = await request("PUT", withDigest(location, digest), { what });
      await done.body?.cancel();
    },

    async getBlob(repo, digest) {
      const response = await request("GET", `${path(repo)}/blobs/${digest}`, {
        allow: [404],
        what: `pull blob ${digest} of ${repo} from ${description}`,
      });
      if (response.status === 404) {
        await response.body?.cancel();
        throw new RegistryError(`blob ${digest} of ${repo} is missing from ${description} (HTTP 404)`);
      }
      return new Uint8Array(await response.arrayBuffer());
    },

    getManifest,

    resolveTag,

    async putManifest(repo: string, write: ManifestWrite) {
      // The API has no compare-and-set: check every tag that must not move first, then write.
      for (const tagRequest of write.tags) {
        if (tagRequest.overwrite) continue;
        const current = await resolveTag(repo, tagRequest.tag);
        if (current !== undefined && current !== write.digest) {
          throw new TagExistsError(repo, tagRequest.tag, current, description);
        }
      }
      for (const { tag } of write.tags) {
        const response = await request("PUT", `${path(repo)}/manifests/${tag}`, {
          headers: { "content-type": write.mediaType },
          body: write.bytes,
          what: `push manifest ${repo}:${tag} to ${description}`,
        });
        await response.body?.cancel();
        const stored = response.headers.get("docker-content-digest");
        if (stored && stored !== write.digest) {
          throw new RegistryError(
            `push manifest ${repo}:${tag}: ${description} stored digest ${stored}, expected ${write.digest}`,
          );
        }
      }
    },

    async listTags(repo) {
      return collectPages(`${path(repo)}/tags/list`, `list tags of ${repo} in ${description}`, "tags");
    },

    async deleteManifest(repo, digest) {
      const response = await request("DELETE", `${path(repo)}/manifests/${digest}`, {
        allow: [405],
        what: `delete ${repo}@${digest} from ${description}`,
      });
      await response.body?.cancel();
      if (response.status === 405) {
        throw new RegistryError(
          `${description} does not allow deletes (HTTP 405); enable them on the registry (docker-registry: storage.delete.enabled)`,
        );
      }
    },
  };
}
