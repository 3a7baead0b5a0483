/**
 * The local back end: one OCI image layout per model under the registry root
 * (`<root>/<name>/oci-layout`, `blobs/sha256/<hex>`, `index.json`). Tags are
 * `org.opencontainers.image.ref.name` annotations in `index.json`, so
 * `skopeo inspect oci:<root>/<name>:<tag>` reads what we store.
 *
 * Crash safety: every file is written to a temp file and renamed, and blobs
 * are written before the manifest, and the manifest before `index.json`, so
 * a tag never points at a missing blob. `index.json` changes under a lock
 * file so two pushes cannot lose each other's tags; a lock left by a writer
 * that died is taken over (`index-lock.ts`). A push hashes a blob already
 * on disk before it skips it, so a corrupted copy is rewritten.
 */
import { join } from "node:path";
import { RegistryError } from "../common/errors.js";
import { computeDigest } from "./digest.js";
import { LOCK_STALE_MS } from "./index-lock.js";
import { describeFileError, errorCode, type FileSystem, nodeFileSystem, writeFileAtomic } from "./fs-port.js";
import { ANNOTATION_REF_NAME, OCI_INDEX_MEDIA_TYPE } from "./media-types.js";
import {
  blobPath,
  ensureLayout,
  type ImageIndex,
  indexPath,
  LAYOUT_FILE,
  type LayoutRoot,
  readBlob,
  readIndex,
  readManifest,
  tagOf,
  withIndexLock,
  writeIndex,
} from "./oci-layout-files.js";
import { collectLayoutGarbage } from "./oci-layout-gc.js";
import { type ManifestWrite, type OciStore, TagExistsError } from "./oci-store.js";

/** Blobs younger than this survive gc by default, so gc never races a push that has not tagged yet. */
export const DEFAULT_GC_GRACE_MS = 10 * 60_000;

/** Options of {@link createLocalStore}. */
export interface LocalStoreOptions {
  /** File-system port; the real one by default. */
  fileSystem?: FileSystem;
  /** Waits between attempts to take the index lock. */
  sleep?: (ms: number) => Promise<void>;
  /** How long to wait for a live writer's lock before giving up; past the stale bound by default. */
  lockTimeoutMs?: number;
  /** Age past which an unrefreshed index lock is stale; `LOCK_STALE_MS` by default. */
  lockStaleMs?: number;
  /** Told when a stale index lock (its holder died) was taken over. */
  onLockTakeover?: (line: string) => void;
  /** Told when a push created the registry folder inside a git work tree and wrote its `.gitignore`. */
  onRootCreated?: (line: string) => void;
  /** Clock, for the age of blobs during gc. */
  now?: () => number;
  /** Blobs younger than this survive gc: a concurrent push writes blobs before it tags them. */
  gcGraceMs?: number;
}

/** Model names under `dir`: folders holding an `oci-layout` file, at most `depth` levels down. */
async function findRepositories(
  layout: LayoutRoot,
  dir: string,
  prefix: string,
  depth: number,
  found: string[],
): Promise<void> {
  let entries: string[];
  try {
    entries = await layout.fileSystem.readdir(dir);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return;
    throw describeFileError(error, "list", dir);
  }
  if (entries.includes(LAYOUT_FILE) && prefix) found.push(prefix);
  if (depth === 0) return;
  for (const entry of entries.sort()) {
    if (entry === "blobs" || entry.startsWith(".")) continue;
    const child = join(dir, entry);
    if ((await layout.fileSystem.stat(child))?.isDirectory) {
      await findRepositories(layout, child, prefix ? `${prefix}/${entry}` : entry, depth - 1, found);
    }
  }
}

/**
 * True when the blob file exists and hashes to its digest. A corrupted blob
 * (bit rot, a torn copy) counts as missing, so the next push of the same
 * content rewrites it instead of reporting success over it.
 */
async function hasIntactBlob(layout: LayoutRoot, repo: string, digest: string): Promise<boolean> {
  const path = blobPath(layout, repo, digest);
  let bytes: Uint8Array;
  try {
    bytes = await layout.fileSystem.readFile(path);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return false;
    throw describeFileError(error, "read", path);
  }
  return computeDigest(bytes) === digest;
}

/** Stores a blob unless an intact copy is there; a corrupted copy is replaced atomically. */
async function putBlob(layout: LayoutRoot, repo: string, digest: string, bytes: Uint8Array): Promise<void> {
  await ensureLayout(layout, repo);
  if (await hasIntactBlob(layout, repo, digest)) return;
  await writeFileAtomic(layout.fileSystem, blobPath(layout, repo, digest), bytes);
}

/**
 * The index with `write`'s tags set: entries carrying those tags (or the
 * untagged entry of the same manifest) give way. Throws TagExistsError, and
 * changes nothing, when a tag that must not move names another manifest.
 */
function buildTaggedIndex(index: ImageIndex, repo: string, write: ManifestWrite, where: string): ImageIndex {
  for (const request of write.tags) {
    const current = index.manifests.find((entry) => tagOf(entry) === request.tag);
    if (current !== undefined && current.digest !== write.digest && !request.overwrite) {
      throw new TagExistsError(repo, request.tag, current.digest, where);
    }
  }
  const requested = new Set(write.tags.map((request) => request.tag));
  const kept = index.manifests.filter((entry) => {
    const tag = tagOf(entry);
    return tag === undefined ? entry.digest !== write.digest : !requested.has(tag);
  });
  const added = write.tags.map((request) => ({
    mediaType: write.mediaType,
    digest: write.digest,
    size: write.bytes.byteLength,
    ...(write.artifactType === undefined ? {} : { artifactType: write.artifactType }),
    annotations: { [ANNOTATION_REF_NAME]: request.tag },
  }));
  return { schemaVersion: 2, mediaType: OCI_INDEX_MEDIA_TYPE, manifests: [...kept, ...added] };
}

async function putManifest(layout: LayoutRoot, repo: string, write: ManifestWrite): Promise<void> {
  await ensureLayout(layout, repo);
  // The manifest blob goes in before the lock: it is content-addressed, so an untagged one is harmless.
  await putBlob(layout, repo, write.digest, write.bytes);
  await withIndexLock(layout, repo, async () => {
    const index = await readIndex(layout, repo);
    await writeIndex(layout, repo, buildTaggedIndex(index, repo, write, layout.root));
  });
}

async function deleteManifest(layout: LayoutRoot, repo: string, digest: string): Promise<void> {
  await withIndexLock(layout, repo, async () => {
    const index = await readIndex(layout, repo);
    const kept = index.manifests.filter((entry) => entry.digest !== digest);
    if (kept.length === index.manifests.length) {
      throw new RegistryError(`manifest ${digest} is not in ${indexPath(layout, repo)}`);
    }
    await writeIndex(layout, repo, { ...index, manifests: kept });
  });
}

/** Creates the local OCI-layout store rooted at `root` (one layout per model name). */
export function createLocalStore(root: string, options: LocalStoreOptions = {}): OciStore {
  const layout: LayoutRoot = {
    root,
    fileSystem: options.fileSystem ?? nodeFileSystem,
    sleep: options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    // Past the stale bound, so a waiting writer outlasts an orphaned lock from another host.
    lockTimeoutMs: options.lockTimeoutMs ?? (options.lockStaleMs ?? LOCK_STALE_MS) + 10_000,
    ...(options.lockStaleMs === undefined ? {} : { lockStaleMs: options.lockStaleMs }),
    // A takeover means a writer died mid-change: worth a line on stderr by default.
    onLockTakeover: options.onLockTakeover ?? ((line) => void process.stderr.write(`warning: ${line}\n`)),
    onRootCreated: options.onRootCreated ?? ((line) => void process.stderr.write(`note: ${line}\n`)),
    now: options.now ?? Date.now,
    gcGraceMs: options.gcGraceMs ?? DEFAULT_GC_GRACE_MS,
  };
  const resolveTag = async (repo: string, tag: string) =>
    (await readIndex(layout, repo)).manifests.find((entry) => tagOf(entry) === tag)?.digest;
  return {
    description: root,
    async listRepositories() {
      const found: string[] = [];
      await findRepositories(layout, root, "", 4, found);
      return found;
    },
    hasBlob: (repo, digest) => hasIntactBlob(layout, repo, digest),
    putBlob: (repo, blob) => putBlob(layout, repo, blob.descriptor.digest, blob.bytes),
    getBlob: (repo, digest) => readBlob(layout, repo, digest),
    getManifest: (repo, selector) => readManifest(layout, repo, selector),
    resolveTag,
    putManifest: (repo, write) => putManifest(layout, repo, write),
    async listTags(repo) {
      const tags = (await readIndex(layout, repo)).manifests.map(tagOf).filter((tag) => tag !== undefined);
      return [...new Set(tags)];
    },
    deleteManifest: (repo, digest) => deleteManifest(layout, repo, digest),
    collectGarbage: (repo, { protectedDigests }) => collectLayoutGarbage(layout, repo, protectedDigests),
  };
}
