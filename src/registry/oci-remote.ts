/**
 * The remote back end: a client of the OCI distribution API v2 (GHCR, Docker
 * Hub, ECR, Harbor, `docker-registry`). Blobs go up monolithically or in
 * PATCH chunks, then the manifest under each tag. Authentication follows the
 * registry's `WWW-Authenticate` challenge (Bearer token service or basic).
 * Every request has a timeout, so a registry that stops answering fails the
 * command instead of hanging it. The HTTP side is `oci-remote-client.ts`.
 */
import { RegistryError } from "../common/errors.js";
import type { RegistryCredentials } from "./auth.js";
import { computeDigest } from "./digest.js";
import type { Blob } from "./manifest.js";
import { DOCKER_MANIFEST_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE } from "./media-types.js";
import { createRegistrySend, type RegistrySend } from "./oci-remote-client.js";
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
  /**
   * Least wait between writing a version tag and reading it back to confirm
   * no concurrent push moved it ({@link DEFAULT_TAG_SETTLE_MS} by default).
   */
  readonly tagSettleMs?: number;
  /** Waits; setTimeout by default. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Least wait before a written version tag is read back (see `putManifest`). */
export const DEFAULT_TAG_SETTLE_MS = 250;

const MANIFEST_ACCEPT = [OCI_MANIFEST_MEDIA_TYPE, DOCKER_MANIFEST_MEDIA_TYPE].join(", ");

/** The `rel="next"` target of a `Link` header (tag and catalog pagination). */
export function parseNextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(header);
  return match?.[1];
}

/** One remote registry under a namespace: how to call it and how to name it. */
interface Remote {
  readonly send: RegistrySend;
  readonly baseUrl: string;
  readonly namespace: string;
  /** `oci://host/namespace`, for messages. */
  readonly description: string;
  readonly chunkSize: number;
  readonly tagSettleMs: number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** The API path of a model's repository. */
function repoPath(remote: Remote, repo: string): string {
  return `/v2/${remoteRepositoryName(remote.namespace, repo)}`;
}

function refText(repo: string, selector: string): string {
  return selector.startsWith("sha256:") ? `${repo}@${selector}` : `${repo}:${selector}`;
}

function uploadUrl(remote: Remote, response: Response, what: string): string {
  const location = response.headers.get("location");
  if (!location)
    throw new RegistryError(`${what}: the registry answered ${response.status} without a Location header`);
  return new URL(location, remote.baseUrl).toString();
}

function withDigest(location: string, digest: string): string {
  const url = new URL(location);
  url.searchParams.set("digest", digest);
  return url.toString();
}

async function getManifest(remote: Remote, repo: string, selector: string): Promise<Uint8Array | undefined> {
  const response = await remote.send("GET", `${repoPath(remote, repo)}/manifests/${selector}`, {
    headers: { accept: MANIFEST_ACCEPT },
    allow: [404],
    what: `pull manifest ${refText(repo, selector)} from ${remote.description}`,
  });
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  return new Uint8Array(await response.arrayBuffer());
}

async function resolveTag(remote: Remote, repo: string, tag: string): Promise<string | undefined> {
  const response = await remote.send("HEAD", `${repoPath(remote, repo)}/manifests/${tag}`, {
    headers: { accept: MANIFEST_ACCEPT },
    allow: [404],
    what: `resolve ${repo}:${tag} in ${remote.description}`,
  });
  if (response.status === 404) return undefined;
  const digest = response.headers.get("docker-content-digest");
  if (digest) return digest;
  // Some registries omit the header on HEAD; the bytes decide then.
  const bytes = await getManifest(remote, repo, tag);
  if (bytes === undefined) return undefined;
  return computeDigest(bytes);
}

/** Every item of a paginated list (`Link: <…>; rel="next"`); empty on 404. */
async function collectPages(
  remote: Remote,
  first: string,
  what: string,
  key: "tags" | "repositories",
): Promise<string[]> {
  const items: string[] = [];
  let next: string | undefined = first;
  while (next !== undefined) {
    const response: Response = await remote.send("GET", next, { allow: [404], what });
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

async function listRepositories(remote: Remote): Promise<string[]> {
  const all = await collectPages(
    remote,
    "/v2/_catalog",
    `list repositories of ${remote.description}`,
    "repositories",
  );
  const prefix = remote.namespace ? `${remote.namespace}/` : "";
  return all.filter((name) => name.startsWith(prefix)).map((name) => name.slice(prefix.length));
}

async function hasBlob(remote: Remote, repo: string, digest: string): Promise<boolean> {
  const response = await remote.send("HEAD", `${repoPath(remote, repo)}/blobs/${digest}`, {
    allow: [404],
    what: `check blob ${digest} of ${repo} in ${remote.description}`,
  });
  return response.status !== 404;
}

/** Uploads a blob: one PUT when it fits in a chunk, else PATCH chunks and a closing PUT. */
async function putBlob(remote: Remote, repo: string, blob: Blob): Promise<void> {
  const { digest } = blob.descriptor;
  const { chunkSize, send } = remote;
  const what = `push blob ${digest} of ${repo} to ${remote.description}`;
  const started = await send("POST", `${repoPath(remote, repo)}/blobs/uploads/`, { what });
  await started.body?.cancel();
  let location = uploadUrl(remote, started, what);
  const octets = { "content-type": "application/octet-stream" };
  if (blob.bytes.byteLength <= chunkSize) {
    const done = await send("PUT", withDigest(location, digest), { headers: octets, body: blob.bytes, what });
    await done.body?.cancel();
    return;
  }
  for (let start = 0; start < blob.bytes.byteLength; start += chunkSize) {
    const chunk = blob.bytes.subarray(start, Math.min(start + chunkSize, blob.bytes.byteLength));
    const patched = await send("PATCH", location, {
      headers: { ...octets, "content-range": `${start}-${start + chunk.byteLength - 1}` },
      body: chunk,
      what: `${what} (chunk at byte ${start})`,
    });
    await patched.body?.cancel();
    location = uploadUrl(remote, patched, what);
  }
  const done = await send("PUT", withDigest(location, digest), { what });
  await done.body?.cancel();
}

async function getBlob(remote: Remote, repo: string, digest: string): Promise<Uint8Array> {
  const response = await remote.send("GET", `${repoPath(remote, repo)}/blobs/${digest}`, {
    allow: [404],
    what: `pull blob ${digest} of ${repo} from ${remote.description}`,
  });
  if (response.status === 404) {
    await response.body?.cancel();
    throw new RegistryError(`blob ${digest} of ${repo} is missing from ${remote.description} (HTTP 404)`);
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** PUTs the manifest under one tag; fails when the registry stored other bytes. */
async function putTag(remote: Remote, repo: string, tag: string, write: ManifestWrite): Promise<void> {
  const response = await remote.send("PUT", `${repoPath(remote, repo)}/manifests/${tag}`, {
    headers: { "content-type": write.mediaType },
    body: write.bytes,
    what: `push manifest ${repo}:${tag} to ${remote.description}`,
  });
  await response.body?.cancel();
  const stored = response.headers.get("docker-content-digest");
  if (stored && stored !== write.digest) {
    throw new RegistryError(
      `push manifest ${repo}:${tag}: ${remote.description} stored digest ${stored}, expected ${write.digest}`,
    );
  }
}

/**
 * Stores the manifest under its tags. The API has no compare-and-set, so a
 * tag that must not move (a version) is checked absent, written, and then,
 * after a settle delay, read back: when a concurrent writer's PUT landed in
 * between, the tag names its manifest and this push fails with
 * TagExistsError (the push then takes the next version) instead of reporting
 * a tag that points elsewhere. The settle delay is the larger of
 * `tagSettleMs` and twice this writer's own check-to-write time, so a racer
 * as fast as we are has landed its PUT before the read-back. Tags that may
 * move (the commit) are written only once the version tags are confirmed.
 */
async function putManifest(remote: Remote, repo: string, write: ManifestWrite): Promise<void> {
  const guarded = write.tags.filter((request) => !request.overwrite).map((request) => request.tag);
  const started = Date.now();
  for (const tag of guarded) {
    const current = await resolveTag(remote, repo, tag);
    if (current !== undefined && current !== write.digest) {
      throw new TagExistsError(repo, tag, current, remote.description);
    }
  }
  for (const tag of guarded) await putTag(remote, repo, tag, write);
  if (guarded.length > 0) {
    await remote.sleep(Math.max(remote.tagSettleMs, 2 * (Date.now() - started)));
    for (const tag of guarded) {
      const current = await resolveTag(remote, repo, tag);
      if (current !== write.digest) {
        throw new TagExistsError(repo, tag, current ?? "deleted meanwhile", remote.description);
      }
    }
  }
  for (const request of write.tags) if (request.overwrite) await putTag(remote, repo, request.tag, write);
}

async function deleteManifest(remote: Remote, repo: string, digest: string): Promise<void> {
  const response = await remote.send("DELETE", `${repoPath(remote, repo)}/manifests/${digest}`, {
    allow: [405],
    what: `delete ${repo}@${digest} from ${remote.description}`,
  });
  await response.body?.cancel();
  if (response.status === 405) {
    throw new RegistryError(
      `${remote.description} does not allow deletes (HTTP 405); enable them on the registry (docker-registry: storage.delete.enabled)`,
    );
  }
}

/** Creates the distribution-API store for `oci://host[:port]/namespace`. */
export function createRemoteStore(options: RemoteStoreOptions): OciStore {
  const host = new URL(options.baseUrl).host;
  const description = `oci://${host}${options.namespace ? `/${options.namespace}` : ""}`;
  const remote: Remote = {
    baseUrl: options.baseUrl,
    namespace: options.namespace,
    description,
    chunkSize: options.chunkSize ?? 8 * 1024 * 1024,
    tagSettleMs: options.tagSettleMs ?? DEFAULT_TAG_SETTLE_MS,
    sleep: options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    send: createRegistrySend({
      baseUrl: options.baseUrl,
      description,
      credentials: options.credentials ?? {},
      fetch: options.fetch ?? fetch,
      timeoutMs: options.timeoutMs ?? 60_000,
    }),
  };
  return {
    description,
    listRepositories: () => listRepositories(remote),
    hasBlob: (repo, digest) => hasBlob(remote, repo, digest),
    putBlob: (repo, blob) => putBlob(remote, repo, blob),
    getBlob: (repo, digest) => getBlob(remote, repo, digest),
    getManifest: (repo, selector) => getManifest(remote, repo, selector),
    resolveTag: (repo, tag) => resolveTag(remote, repo, tag),
    putManifest: (repo, write) => putManifest(remote, repo, write),
    listTags: (repo) =>
      collectPages(
        remote,
        `${repoPath(remote, repo)}/tags/list`,
        `list tags of ${repo} in ${description}`,
        "tags",
      ),
    deleteManifest: (repo, digest) => deleteManifest(remote, repo, digest),
  };
}
