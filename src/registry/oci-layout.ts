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
import { z } from "zod";
import { RegistryError } from "../common/errors.js";
import { digestHex } from "./digest.js";
import { describeFileError, errorCode, type FileSystem, nodeFileSystem, writeFileAtomic } from "./fs-port.js";
import { Descriptor, parseImageManifest } from "./manifest.js";
import type { Blob } from "./manifest.js";
import { ANNOTATION_REF_NAME, OCI_INDEX_MEDIA_TYPE } from "./media-types.js";
import { type ManifestWrite, type OciStore, TagExistsError } from "./oci-store.js";

const LAYOUT_FILE = "oci-layout";
const INDEX_FILE = "index.json";
const LOCK_FILE = "index.json.lock";

const ImageIndex = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(Descriptor),
});
type ImageIndex = z.infer<typeof ImageIndex>;

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

/** Creates the local OCI-layout store rooted at `root` (one layout per model name). */
export function createLocalStore(root: string, options: LocalStoreOptions = {}): OciStore {
  const fileSystem = options.fileSystem ?? nodeFileSystem;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  const gcGraceMs = options.gcGraceMs ?? DEFAULT_GC_GRACE_MS;

  const layoutDir = (repo: string) => join(root, ...repo.split("/"));
  const blobPath = (repo: string, digest: string) =>
    join(layoutDir(repo), "blobs", "sha256", digestHex(digest));

  async function readIndex(repo: string): Promise<ImageIndex> {
    const path = join(layoutDir(repo), INDEX_FILE);
    let bytes: Uint8Array;
    try {
      bytes = await fileSystem.readFile(path);
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

  async function ensureLayout(repo: string): Promise<void> {
    const dir = layoutDir(repo);
    try {
      await fileSystem.mkdir(join(dir, "blobs", "sha256"));
    } catch (error) {
      throw describeFileError(error, "create", dir);
    }
    const layoutPath = join(dir, LAYOUT_FILE);
    if ((await fileSystem.stat(layoutPath)) === undefined) {
      await writeFileAtomic(
        fileSystem,
        layoutPath,
        new TextEncoder().encode('{"imageLayoutVersion":"1.0.0"}'),
      );
    }
  }

  /** Runs `update` with the index lock held; the lock is a file created exclusively. */
  async function withIndexLock<T>(repo: string, update: () => Promise<T>): Promise<T> {
    const lockPath = join(layoutDir(repo), LOCK_FILE);
    const deadline = now() + lockTimeoutMs;
    for (;;) {
      try {
        await fileSystem.writeFile(lockPath, new TextEncoder().encode(String(process.pid)), {
          exclusive: true,
        });
        break;
      } catch (error) {
        if (errorCode(error) !== "EEXIST") throw describeFileError(error, "lock", lockPath);
        if (now() >= deadline) {
          throw new RegistryError(
            `${lockPath} is held by another writer for more than ${lockTimeoutMs} ms; if no push or gc is running, delete the file`,
          );
        }
        await sleep(50);
      }
    }
    try {
      return await update();
    } finally {
      await fileSystem.remove(lockPath).catch(() => undefined);
    }
  }

  async function writeIndex(repo: string, index: ImageIndex): Promise<void> {
    const bytes = new TextEncoder().encode(`${JSON.stringify(index, null, 2)}\n`);
    await writeFileAtomic(fileSystem, join(layoutDir(repo), INDEX_FILE), bytes);
  }

  function tagOf(entry: Descriptor): string | undefined {
    return entry.annotations?.[ANNOTATION_REF_NAME];
  }

  async function findRepositories(
    dir: string,
    prefix: string,
    depth: number,
    found: string[],
  ): Promise<void> {
    let entries: string[];
    try {
      entries = await fileSystem.readdir(dir);
    } catch (error) {
      if (errorCode(error) === "ENOENT") return;
      throw describeFileError(error, "list", dir);
    }
    if (entries.includes(LAYOUT_FILE) && prefix) found.push(prefix);
    if (depth === 0) return;
    for (const entry of entries.sort()) {
      if (entry === "blobs" || entry.startsWith(".")) continue;
      const child = join(dir, entry);
      if ((await fileSystem.stat(child))?.isDirectory) {
        await findRepositories(child, prefix ? `${prefix}/${entry}` : entry, depth - 1, found);
      }
    }
  }

  async function getBlob(repo: string, digest: string): Promise<Uint8Array> {
    const path = blobPath(repo, digest);
    try {
      return await fileSystem.readFile(path);
    } catch (error) {
      if (errorCode(error) === "ENOENT") {
        throw new RegistryError(
          `blob ${digest} of ${repo} is missing from ${layoutDir(repo)}; the layout is damaged`,
        );
      }
      throw describeFileError(error, "read", path);
    }
  }

  async function getManifest(repo: string, selector: string): Promise<Uint8Array | undefined> {
    let digest: string | undefined = selector;
    if (!selector.startsWith("sha256:")) {
      digest = (await readIndex(repo)).manifests.find((entry) => tagOf(entry) === selector)?.digest;
      if (digest === undefined) return undefined;
    }
    const path = blobPath(repo, digest);
    try {
      return await fileSystem.readFile(path);
    } catch (error) {
      if (errorCode(error) === "ENOENT") return undefined;
      throw describeFileError(error, "read", path);
    }
  }

  return {
    description: root,

    async listRepositories() {
      const found: string[] = [];
      await findRepositories(root, "", 4, found);
      return found;
    },

    async hasBlob(repo, digest) {
      return (await fileSystem.stat(blobPath(repo, digest))) !== undefined;
    },

    async putBlob(repo: string, blob: Blob) {
      await ensureLayout(repo);
      const path = blobPath(repo, blob.descriptor.digest);
      const existing = await fileSystem.stat(path);
      if (existing?.size === blob.bytes.byteLength) return;
      await writeFileAtomic(fileSystem, path, blob.bytes);
    },

    getBlob,
    getManifest,

    async resolveTag(repo, tag) {
      return (await readIndex(repo)).manifests.find((entry) => tagOf(entry) === tag)?.digest;
    },

    async putManifest(repo: string, write: ManifestWrite) {
      await ensureLayout(repo);
      // The manifest blob goes in before the lock: it is content-addressed, so an untagged one is harmless.
      const path = blobPath(repo, write.digest);
      if ((await fileSystem.stat(path)) === undefined) await writeFileAtomic(fileSystem, path, write.bytes);
      await withIndexLock(repo, async () => {
        const index = await readIndex(repo);
        for (const request of write.tags) {
          const current = index.manifests.find((entry) => tagOf(entry) === request.tag);
          if (current !== undefined && current.digest !== write.digest && !request.overwrite) {
            throw new TagExistsError(repo, request.tag, current.digest, root);
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
        await writeIndex(repo, {
          schemaVersion: 2,
          mediaType: OCI_INDEX_MEDIA_TYPE,
          manifests: [...kept, ...added],
        });
      });
    },

    async listTags(repo) {
      const tags = (await readIndex(repo)).manifests.map(tagOf).filter((tag) => tag !== undefined);
      return [...new Set(tags)];
    },

    async deleteManifest(repo, digest) {
      await withIndexLock(repo, async () => {
        const index = await readIndex(repo);
        const kept = index.manifests.filter((entry) => entry.digest !== digest);
        if (kept.length === index.manifests.length) {
          throw new RegistryError(`manifest ${digest} is not in ${join(layoutDir(repo), INDEX_FILE)}`);
        }
        await writeIndex(repo, { ...index, manifests: kept });
      });
    },

    async collectGarbage(repo, { protectedDigests }) {
      return withIndexLock(repo, async () => {
        const index = await readIndex(repo);
        const reachable = new Set<string>();
        for (const entry of index.manifests) {
          reachable.add(entry.digest);
          const manifest = parseImageManifest(await getBlob(repo, entry.digest), `${repo}@${entry.digest}`);
          reachable.add(manifest.config.digest);
          for (const layer of manifest.layers) reachable.add(layer.digest);
        }
        // A protected manifest that lost its tags still keeps its blobs.
        for (const digest of protectedDigests) {
          const bytes = await getManifest(repo, digest);
          if (bytes === undefined) continue;
          reachable.add(digest);
          const manifest = parseImageManifest(bytes, `${repo}@${digest}`);
          reachable.add(manifest.config.digest);
          for (const layer of manifest.layers) reachable.add(layer.digest);
        }
        const dir = join(layoutDir(repo), "blobs", "sha256");
        let names: string[];
        try {
          names = await fileSystem.readdir(dir);
        } catch (error) {
          if (errorCode(error) === "ENOENT") return [];
          throw describeFileError(error, "list", dir);
        }
        const removed: string[] = [];
        for (const name of names.sort()) {
          const path = join(dir, name);
          const info = await fileSystem.stat(path);
          if (info === undefined || now() - info.mtimeMs < gcGraceMs) continue;
          // Temp files of a crashed writer are garbage too, once old enough.
          if (!name.startsWith(".tmp-") && reachable.has(`sha256:${name}`)) continue;
          await fileSystem.remove(path);
          if (!name.startsWith(".tmp-")) removed.push(`sha256:${name}`);
        }
        return removed;
      });
    },
  };
}
