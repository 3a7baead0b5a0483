/**
 * The storage port every registry back end implements: content-addressed
 * blobs and manifests per repository, and tags. The model-level operations
 * (versioned push, verified pull, gc) are written once on top of it in
 * `model-registry.ts`, so the local layout and a remote registry behave alike.
 */
import { RegistryError } from "../common/errors.js";
import type { Blob } from "./manifest.js";

/** A tag to set on a manifest, and whether an existing tag of that name may move. */
export interface TagRequest {
  readonly tag: string;
  /** false for version tags: an existing one is never overwritten. */
  readonly overwrite: boolean;
}

/** One manifest to store with its tags. Blobs it names must already be stored. */
export interface ManifestWrite {
  readonly bytes: Uint8Array;
  readonly digest: string;
  readonly mediaType: string;
  readonly artifactType?: string;
  readonly tags: readonly TagRequest[];
}

/** Low-level storage of one registry (a layout root or a remote registry with a namespace). */
export interface OciStore {
  /** Where this store lives, for messages: a folder path or `oci://host/namespace`. */
  readonly description: string;
  /** Model names (repositories) in the store. */
  listRepositories(): Promise<string[]>;
  /** True when the blob is already stored intact (so push skips it); the local store hashes the file. */
  hasBlob(repo: string, digest: string): Promise<boolean>;
  /** Stores a blob. Atomic: a reader never sees a partial blob under its digest. */
  putBlob(repo: string, blob: Blob): Promise<void>;
  /** The blob's bytes as stored (unverified), or a RegistryError naming the digest when it is missing. */
  getBlob(repo: string, digest: string): Promise<Uint8Array>;
  /** The manifest bytes under a tag or digest (unverified), or `undefined` when there is none. */
  getManifest(repo: string, selector: string): Promise<Uint8Array | undefined>;
  /** The digest a tag points at, or `undefined` when the tag does not exist. */
  resolveTag(repo: string, tag: string): Promise<string | undefined>;
  /** Stores a manifest and sets its tags; fails without writing anything when a non-overwritable tag exists. */
  putManifest(repo: string, write: ManifestWrite): Promise<void>;
  /** All tags of a repository (empty when it does not exist). */
  listTags(repo: string): Promise<string[]>;
  /** Removes a manifest and every tag that points at it. */
  deleteManifest(repo: string, digest: string): Promise<void>;
  /**
   * Removes what no tag reaches: untagged manifests, then blobs no remaining
   * manifest names. Remote registries collect blobs on their own side, so
   * remote stores do not implement it.
   */
  collectGarbage?(repo: string, options: { protectedDigests: ReadonlySet<string> }): Promise<string[]>;
}

/** A tag that must not move already names another manifest. Push retries with the next version on it. */
export class TagExistsError extends RegistryError {
  readonly tag: string;
  constructor(repo: string, tag: string, current: string, where: string) {
    super(`tag ${repo}:${tag} already exists (${current}) in ${where}; version tags are never overwritten`);
    this.tag = tag;
  }
}

/** A reference names no manifest in the registry (HTTP 404, or no such tag in the layout). */
export class ModelNotFoundError extends RegistryError {}

/** tag → digest for every tag of a repository (a tag deleted meanwhile is left out). */
export async function readTagDigests(store: OciStore, name: string): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  for (const tag of await store.listTags(name)) {
    const digest = await store.resolveTag(name, tag);
    if (digest !== undefined) map.set(tag, digest);
  }
  return map;
}
