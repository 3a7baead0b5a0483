/**
 * The files of an OCI image layout on disk: where blobs live, and
 * `index.json` read, written atomically, and changed under a lock file so
 * two writers cannot lose each other's tags (stale locks: `index-lock.ts`);
 * a manifest read by tag is checked against the index.
 */
import { join } from "node:path";
import { z } from "zod";
import { RegistryError } from "../common/errors.js";
import { computeDigest, digestHex } from "./digest.js";
import { describeFileError, errorCode, type FileSystem, writeFileAtomic } from "./fs-port.js";
import { createRegistryRoot } from "./ignore-new-root.js";
import { Descriptor } from "./manifest.js";
import { acquireLock } from "./index-lock.js";
import { ANNOTATION_REF_NAME, OCI_INDEX_MEDIA_TYPE } from "./media-types.js";

/** The marker file that makes a folder an OCI image layout. */
export const LAYOUT_FILE = "oci-layout";
const INDEX_FILE = "index.json";
const LOCK_FILE = "index.json.lock";

/** The `index.json` of a layout. */
export const ImageIndex = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(Descriptor),
});
/** The `index.json` of a layout. */
export type ImageIndex = z.infer<typeof ImageIndex>;

/** A registry root on disk with the settings every layout operation shares. */
export interface LayoutRoot {
  readonly root: string;
  readonly fileSystem: FileSystem;
  /** Waits between attempts to take the index lock. */
  readonly sleep: (ms: number) => Promise<void>;
  readonly lockTimeoutMs: number;
  /** Age past which an unrefreshed index lock is stale (`LOCK_STALE_MS` by default). */
  readonly lockStaleMs?: number;
  /** Told when a stale index lock was taken over, for the log. */
  readonly onLockTakeover?: (line: string) => void;
  /** Told when the registry folder was created inside a git work tree and kept out of git. */
  readonly onRootCreated?: (line: string) => void;
  readonly now: () => number;
  readonly gcGraceMs: number;
}

/** The layout folder of one model (`<root>/<name>`, nested for `org/name`). */
export function layoutDir(layout: LayoutRoot, repo: string): string {
  return join(layout.root, ...repo.split("/"));
}

/** The folder holding a layout's blobs. */
export function blobsDir(layout: LayoutRoot, repo: string): string {
  return join(layoutDir(layout, repo), "blobs", "sha256");
}

/** Where a blob of a layout lives. */
export function blobPath(layout: LayoutRoot, repo: string, digest: string): string {
  return join(blobsDir(layout, repo), digestHex(digest));
}

/** The path of a layout's `index.json`, for messages. */
export function indexPath(layout: LayoutRoot, repo: string): string {
  return join(layoutDir(layout, repo), INDEX_FILE);
}

/** The tag an index entry carries, if any. */
export function tagOf(entry: Descriptor): string | undefined {
  return entry.annotations?.[ANNOTATION_REF_NAME];
}

/** Reads `index.json`; an empty index when the layout does not exist yet. */
export async function readIndex(layout: LayoutRoot, repo: string): Promise<ImageIndex> {
  const path = indexPath(layout, repo);
  let bytes: Uint8Array;
  try {
    bytes = await layout.fileSystem.readFile(path);
  } catch (error) {
    if (errorCode(error) === "ENOENT")
      return { schemaVersion: 2, mediaType: OCI_INDEX_MEDIA_TYPE, manifests: [] };
    throw describeFileError(error, "read", path);
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new RegistryError(`${path} is not valid JSON; the layout is damaged`, { cause: error });
  }
  const parsed = ImageIndex.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RegistryError(
      `${path}: ${issue?.path.map(String).join(".") || "(index)"}: ${issue?.message ?? "invalid"}; not an OCI image index`,
    );
  }
  return parsed.data;
}

/** Replaces `index.json` atomically. */
export async function writeIndex(layout: LayoutRoot, repo: string, index: ImageIndex): Promise<void> {
  const bytes = new TextEncoder().encode(`${JSON.stringify(index, null, 2)}\n`);
  await writeFileAtomic(layout.fileSystem, indexPath(layout, repo), bytes);
}

/** Creates the layout folder and its `oci-layout` marker when missing. */
export async function ensureLayout(layout: LayoutRoot, repo: string): Promise<void> {
  const dir = layoutDir(layout, repo);
  try {
    const created = await createRegistryRoot(layout.fileSystem, layout.root);
    if (created !== undefined) layout.onRootCreated?.(created);
    await layout.fileSystem.mkdir(blobsDir(layout, repo));
  } catch (error) {
    throw describeFileError(error, "create", dir);
  }
  const layoutPath = join(dir, LAYOUT_FILE);
  if ((await layout.fileSystem.stat(layoutPath)) === undefined) {
    await writeFileAtomic(
      layout.fileSystem,
      layoutPath,
      new TextEncoder().encode('{"imageLayoutVersion":"1.0.0"}'),
    );
  }
}

/** Runs `update` with the index lock of `repo` held (see `index-lock.ts` for stale locks). */
export async function withIndexLock<T>(
  layout: LayoutRoot,
  repo: string,
  update: () => Promise<T>,
): Promise<T> {
  const lock = await acquireLock(layout, join(layoutDir(layout, repo), LOCK_FILE));
  for (const line of lock.takenOver) layout.onLockTakeover?.(line);
  try {
    return await update();
  } finally {
    await lock.release();
  }
}

/** A blob's bytes as stored (unverified); a RegistryError when it is missing. */
export async function readBlob(layout: LayoutRoot, repo: string, digest: string): Promise<Uint8Array> {
  const path = blobPath(layout, repo, digest);
  try {
    return await layout.fileSystem.readFile(path);
  } catch (error) {
    if (errorCode(error) === "ENOENT") {
      throw new RegistryError(
        `blob ${digest} of ${repo} is missing from ${layoutDir(layout, repo)}; the layout is damaged`,
      );
    }
    throw describeFileError(error, "read", path);
  }
}

/**
 * The manifest a tag names, checked against `index.json`: its bytes must
 * hash to the digest and have the size the index records. A mismatch means
 * the manifest blob or the index was altered; it names the tag and both
 * digests instead of serving what happens to be there.
 */
async function readTaggedManifest(
  layout: LayoutRoot,
  repo: string,
  tag: string,
): Promise<Uint8Array | undefined> {
  const entry = (await readIndex(layout, repo)).manifests.find((candidate) => tagOf(candidate) === tag);
  if (entry === undefined) return undefined;
  const path = blobPath(layout, repo, entry.digest);
  let bytes: Uint8Array;
  try {
    bytes = await layout.fileSystem.readFile(path);
  } catch (error) {
    if (errorCode(error) !== "ENOENT") throw describeFileError(error, "read", path);
    throw new RegistryError(
      `${repo}:${tag}: ${indexPath(layout, repo)} names manifest ${entry.digest}, but that blob is missing from ${layoutDir(layout, repo)}; the layout is damaged`,
    );
  }
  const actual = computeDigest(bytes);
  if (actual !== entry.digest || bytes.byteLength !== entry.size) {
    throw new RegistryError(
      `${repo}:${tag}: ${indexPath(layout, repo)} names manifest ${entry.digest} (${entry.size} bytes), but the stored manifest is ${actual} (${bytes.byteLength} bytes); the manifest blob or index.json was altered`,
    );
  }
  return bytes;
}

/** The manifest bytes under a tag (checked against the index) or a digest (unverified); undefined when there is none. */
export async function readManifest(
  layout: LayoutRoot,
  repo: string,
  selector: string,
): Promise<Uint8Array | undefined> {
  if (!selector.startsWith("sha256:")) return readTaggedManifest(layout, repo, selector);
  const path = blobPath(layout, repo, selector);
  try {
    return await layout.fileSystem.readFile(path);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw describeFileError(error, "read", path);
  }
}
