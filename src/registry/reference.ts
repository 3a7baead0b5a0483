/**
 * Model references (`name[:tag][@sha256:digest]`) and registry locations
 * (`oci://host[:port]/namespace` or a local folder). Parsing is pure and every
 * rejection says which part of the text is wrong and what would be accepted.
 */
import { RegistryError, UsageError } from "../common/errors.js";

/** A parsed model reference. At least one of `tag` and `digest` is set after {@link parseModelReference} unless `allowBare`. */
export interface ModelReference {
  /** Repository name: lowercase components separated by `/`. */
  readonly name: string;
  /** A tag such as `v3` or a git short commit. */
  readonly tag?: string;
  /** A content digest, `sha256:<64 hex>`. Wins over `tag` when both are given. */
  readonly digest?: string;
}

const NAME_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;
/** Version tags the registry allocates on push: `v1`, `v2`, … */
const VERSION_TAG = /^v([1-9][0-9]*)$/;
const GIT_SHORT_COMMIT = /^[0-9a-f]{7,40}$/;

/** The default local registry, relative to the repository root. */
export const DEFAULT_LOCAL_REGISTRY = ".meta-controller/registry";

/** Checks a repository name, throwing a {@link RegistryError} that names the bad component. */
export function assertModelName(name: string): void {
  if (name.length === 0) throw new RegistryError("model name is empty; expected e.g. churn or team/churn");
  if (name.length > 255)
    throw new RegistryError(`model name ${JSON.stringify(name)} is longer than 255 characters`);
  for (const component of name.split("/")) {
    if (!NAME_COMPONENT.test(component)) {
      throw new RegistryError(
        `model name ${JSON.stringify(name)}: component ${JSON.stringify(component)} is invalid; ` +
          "use lowercase letters and digits separated by '.', '_', '__' or '-' (an OCI repository name)",
      );
    }
  }
}

/** Checks a tag, throwing a {@link RegistryError} that quotes it. */
export function assertTag(tag: string): void {
  if (!TAG_PATTERN.test(tag)) {
    throw new RegistryError(
      `tag ${JSON.stringify(tag)} is invalid; a tag is 1–128 characters of letters, digits, '_', '.', '-' and does not start with '.' or '-'`,
    );
  }
}

/** Checks a digest, throwing a {@link RegistryError} that quotes it. */
export function assertDigest(digest: string): void {
  if (!DIGEST_PATTERN.test(digest)) {
    throw new RegistryError(
      `digest ${JSON.stringify(digest)} is invalid; expected sha256:<64 lowercase hex digits>`,
    );
  }
}

/**
 * Parses `name[:tag][@sha256:digest]`.
 * @param text the reference as typed.
 * @param options.defaultTag used when neither tag nor digest is given; without it such a reference is rejected.
 */
export function parseModelReference(text: string, options: { defaultTag?: string } = {}): ModelReference {
  const trimmed = text.trim();
  if (trimmed.length === 0)
    throw new RegistryError("model reference is empty; expected name[:tag][@sha256:<digest>]");
  const at = trimmed.indexOf("@");
  const beforeDigest = at === -1 ? trimmed : trimmed.slice(0, at);
  const digest = at === -1 ? undefined : trimmed.slice(at + 1);
  const lastSlash = beforeDigest.lastIndexOf("/");
  const colon = beforeDigest.indexOf(":", lastSlash + 1);
  const name = colon === -1 ? beforeDigest : beforeDigest.slice(0, colon);
  const tag = colon === -1 ? undefined : beforeDigest.slice(colon + 1);
  try {
    assertModelName(name);
    if (tag !== undefined) assertTag(tag);
    if (digest !== undefined) assertDigest(digest);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RegistryError(`invalid model reference ${JSON.stringify(text)}: ${reason}`, { cause: error });
  }
  if (tag === undefined && digest === undefined) {
    if (options.defaultTag === undefined) {
      throw new RegistryError(
        `model reference ${JSON.stringify(text)} has neither a tag nor a digest; write ${name}:v1 or ${name}@sha256:<digest>`,
      );
    }
    return { name, tag: options.defaultTag };
  }
  return { name, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

/** Renders a reference back to `name[:tag][@digest]`. */
export function formatModelReference(ref: ModelReference): string {
  return `${ref.name}${ref.tag === undefined ? "" : `:${ref.tag}`}${ref.digest === undefined ? "" : `@${ref.digest}`}`;
}

/** What a registry reference resolves by: the digest when given, else the tag. */
export function referenceSelector(ref: ModelReference): string {
  const selector = ref.digest ?? ref.tag;
  if (selector === undefined) {
    throw new RegistryError(`model reference ${formatModelReference(ref)} has neither a tag nor a digest`);
  }
  return selector;
}

/** The version number of a `v<N>` tag, or `undefined` for any other tag. */
export function versionOfTag(tag: string): number | undefined {
  const match = VERSION_TAG.exec(tag);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** The tag the next push gets: one above the highest `v<N>` among `tags` (`v1` when there is none). */
export function computeNextVersionTag(tags: readonly string[]): string {
  let highest = 0;
  for (const tag of tags) {
    const version = versionOfTag(tag);
    if (version !== undefined && version > highest) highest = version;
  }
  return `v${highest + 1}`;
}

/** Checks a git short commit used as a tag (7–40 lowercase hex digits). */
export function assertGitCommitTag(commit: string): void {
  if (!GIT_SHORT_COMMIT.test(commit)) {
    throw new RegistryError(
      `git commit ${JSON.stringify(commit)} cannot be a tag; expected 7–40 lowercase hex digits (git rev-parse --short HEAD)`,
    );
  }
}

/** A registry location: a local OCI layout root, or a remote distribution API. */
export type RegistryLocation =
  | { readonly kind: "local"; readonly root: string }
  | {
      readonly kind: "remote";
      /** `host[:port]` as written. */
      readonly host: string;
      /** Path prefix of every repository, without slashes at either end; may be empty. */
      readonly namespace: string;
      /** `http://…` only when `insecure` and the host is loopback. */
      readonly baseUrl: string;
    };

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** True for hosts `--insecure` may reach over plain http. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * Parses `--registry`: `oci://host[:port]/namespace` for a remote registry,
 * anything else (or nothing) as a local folder resolved against `repoRoot`.
 * @param options.insecure allow plain http; only to loopback hosts.
 */
export function parseRegistryLocation(
  text: string | undefined,
  options: { repoRoot: string; insecure?: boolean; resolvePath: (root: string, path: string) => string },
): RegistryLocation {
  const value = text?.trim() || DEFAULT_LOCAL_REGISTRY;
  if (value.startsWith("file://")) {
    return { kind: "local", root: options.resolvePath(options.repoRoot, decodeURIComponent(value.slice(7))) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) && !value.startsWith("oci://")) {
    throw new UsageError(
      `registry URL ${JSON.stringify(value)} is not supported; use oci://host[:port]/namespace or a local folder`,
    );
  }
  if (!value.startsWith("oci://"))
    return { kind: "local", root: options.resolvePath(options.repoRoot, value) };
  let url: URL;
  try {
    url = new URL(`https://${value.slice("oci://".length)}`);
  } catch (error) {
    throw new UsageError(`registry URL ${JSON.stringify(value)} is not a valid oci://host[:port]/namespace`, {
      cause: error,
    });
  }
  if (url.username || url.password) {
    throw new UsageError(
      `registry URL ${JSON.stringify(value)} carries credentials; pass --username and the password through REGISTRY_PASSWORD or GITHUB_TOKEN instead`,
    );
  }
  if (url.search || url.hash) {
    throw new UsageError(`registry URL ${JSON.stringify(value)} must not have a query or fragment`);
  }
  const namespace = url.pathname.replace(/^\/+|\/+$/g, "");
  if (namespace) {
    try {
      assertModelName(namespace);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new UsageError(`registry URL ${JSON.stringify(value)}: namespace ${reason}`, { cause: error });
    }
  }
  const insecure = options.insecure === true;
  if (insecure && !isLoopbackHost(url.hostname)) {
    throw new UsageError(
      `--insecure allows plain http only to loopback (127.0.0.1, localhost, ::1), not to ${url.hostname}`,
    );
  }
  return {
    kind: "remote",
    host: url.host,
    namespace,
    baseUrl: `${insecure ? "http" : "https"}://${url.host}`,
  };
}

/** The repository path of a model inside a remote registry location. */
export function remoteRepositoryName(namespace: string, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** Sorts tags: `v1, v2, …, v10` by number, then the rest alphabetically. */
export function sortTags(tags: readonly string[]): string[] {
  return [...tags].sort((a, b) => {
    const va = versionOfTag(a);
    const vb = versionOfTag(b);
    if (va !== undefined && vb !== undefined) return va - vb;
    if (va !== undefined) return -1;
    if (vb !== undefined) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}
