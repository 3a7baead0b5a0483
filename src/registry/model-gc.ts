/**
 * Registry gc over the store port: old versions beyond `keepVersions`, then
 * whatever the store can collect on its side, never a digest an environment
 * references.
 */
import { RegistryError } from "../common/errors.js";
import { type OciStore, readTagDigests } from "./oci-store.js";
import { assertModelName, sortTags, versionOfTag } from "./reference.js";

/** Options of `ModelRegistry.gc`. */
export interface GcOptions {
  /** Digests some environment references: never deleted, nor their blobs. */
  readonly protectedDigests: ReadonlySet<string>;
  /** Models to collect; all models in the registry when absent. */
  readonly names?: readonly string[];
  /** Keep this many newest versions per model and delete older ones; keep every version when absent. */
  readonly keepVersions?: number;
}

/** What gc removed and what it kept because an environment references it. */
export interface GcReport {
  readonly deletedManifests: readonly { name: string; digest: string; tags: readonly string[] }[];
  readonly removedBlobs: readonly { name: string; digest: string }[];
  readonly keptProtected: readonly { name: string; digest: string; tags: readonly string[] }[];
}

type ManifestRecord = { name: string; digest: string; tags: string[] };

/** Manifests of a model that carry a version tag, newest version first, each with all its tags. */
async function listVersionedManifests(
  store: OciStore,
  name: string,
): Promise<{ digest: string; tags: string[]; newest: number }[]> {
  const byDigest = new Map<string, string[]>();
  for (const [tag, digest] of await readTagDigests(store, name))
    byDigest.set(digest, [...(byDigest.get(digest) ?? []), tag]);
  return [...byDigest]
    .map(([digest, tags]) => ({
      digest,
      tags,
      newest: Math.max(-1, ...tags.map((t) => versionOfTag(t) ?? -1)),
    }))
    .filter((entry) => entry.newest > 0)
    .sort((a, b) => b.newest - a.newest);
}

/** Deletes the versions of `name` older than the newest `keepVersions`, sparing protected ones. */
async function pruneOldVersions(
  store: OciStore,
  name: string,
  keepVersions: number,
  protectedDigests: ReadonlySet<string>,
  report: { deletedManifests: ManifestRecord[]; keptProtected: ManifestRecord[] },
): Promise<void> {
  const versioned = await listVersionedManifests(store, name);
  for (const entry of versioned.slice(keepVersions)) {
    const record = { name, digest: entry.digest, tags: sortTags(entry.tags) };
    if (protectedDigests.has(entry.digest)) {
      report.keptProtected.push(record);
      continue;
    }
    await store.deleteManifest(name, entry.digest);
    report.deletedManifests.push(record);
  }
}

/** Deletes old versions (with `keepVersions`) and unreachable content, never a protected digest. */
export async function collectModelGarbage(store: OciStore, options: GcOptions): Promise<GcReport> {
  if (
    options.keepVersions !== undefined &&
    (!Number.isInteger(options.keepVersions) || options.keepVersions < 1)
  ) {
    throw new RegistryError(`gc: keep must be a whole number of versions ≥ 1, got ${options.keepVersions}`);
  }
  const report = { deletedManifests: [] as ManifestRecord[], keptProtected: [] as ManifestRecord[] };
  const removedBlobs: { name: string; digest: string }[] = [];
  for (const name of options.names ?? (await store.listRepositories())) {
    assertModelName(name);
    if (options.keepVersions !== undefined) {
      await pruneOldVersions(store, name, options.keepVersions, options.protectedDigests, report);
    }
    if (store.collectGarbage) {
      for (const digest of await store.collectGarbage(name, { protectedDigests: options.protectedDigests })) {
        removedBlobs.push({ name, digest });
      }
    }
  }
  return { deletedManifests: report.deletedManifests, removedBlobs, keptProtected: report.keptProtected };
}
