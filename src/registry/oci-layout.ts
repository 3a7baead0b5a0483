/**
 * The local back end: one OCI image layout per model under the registry root
 * (`<root>/<name>/oci-layout`, `blobs/sha256/<hex>`, `index.json`). Tags are
 * `org.opencontainers.image.ref.name` annotations in `index.json`, so
 * `skopeo inspect oci:<root>/<name>:<tag>` reads what we store.
 *
 * Crash safety: every file is written to a temp file and renamed, and blobs
 * are written before the manifest, and the manifest before `index.json`, so
 * a tag never points at a missing blob. `index.json` changes under a lock
 * file so two pushes cannot lose each other's tags.
 */
import { join } from "node:path";
import { RegistryError } from "../common/errors.js";
import { describeFileError, errorCode, type FileSystem, nodeFileSystem, writeFileAtomic } from "./fs-port.js";
import type { Blob } from "./manifest.js";
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
  /** How long to wait for another writer's lock before giving up. */
  lockTimeoutMs?: number;
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

async function putBlob(layout: LayoutRoot, repo: string, blob: Blob): Promise<void> {
  await ensureLayout(layout, repo);
  const path = blobPath(layout, repo, blob.descriptor.digest);
  const existing = await layout.fileSystem.stat(path);
  if (existing?.size === blob.bytes.byteLength) return;
  await writeFileAtomic(layout.fileSystem, path, blob.bytes);
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
  const path = blobPath(layout, repo, write.digest);
  if ((await layout.fileSystem.stat(path)) === undefined)
    await writeFileAtomic(layout.fileSystem, path, write.bytes);
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
    lockTimeoutMs: options.lockTimeoutMs ?? 10_000,
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
    hasBlob: async (repo, digest) =>
      (await layout.fileSystem.stat(blobPath(layout, repo, digest))) !== undefined,
    putBlob: (repo, blob) => putBlob(layout, repo, blob),
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
