/**
 * The model registry: versioned push, verified pull, tags, delete and gc,
 * written once over the {@link OciStore} port. The back end — a local OCI
 * layout or a remote distribution API — is chosen from the registry location
 * by {@link registryBackends}.
 */
import { RegistryError } from "../common/errors.js";
import type { RegistryCredentials } from "./auth.js";
import { computeDigest, verifyDigest } from "./digest.js";
import { buildModelArtifact, findModelLayers, type ImageManifest, parseImageManifest } from "./manifest.js";
import { decodeModelCard, encodeModelCard, type ModelCard, parseModelCard } from "./model-card.js";
import { MODEL_ARTIFACT_TYPE, OCI_MANIFEST_MEDIA_TYPE } from "./media-types.js";
import { createLocalStore, type LocalStoreOptions } from "./oci-layout.js";
import { createRemoteStore } from "./oci-remote.js";
import { ModelNotFoundError, type OciStore, TagExistsError } from "./oci-store.js";
import {
  assertGitCommitTag,
  assertModelName,
  assertTag,
  computeNextVersionTag,
  formatModelReference,
  type ModelReference,
  referenceSelector,
  type RegistryLocation,
  versionOfTag,
} from "./reference.js";

/** What the pipeline hands to {@link ModelRegistry.push}. */
export interface PushInput {
  readonly name: string;
  /** The exported ONNX model bytes. */
  readonly onnx: Uint8Array;
  /** The card; `name` and `version` are set by the push. */
  readonly card: Omit<ModelCard, "version" | "name"> & { version?: string; name?: string };
  /** Tag for the git commit; the first 7 digits of `card.git_commit` when absent. */
  readonly commitTag?: string;
}

/** What a push stored. */
export interface PushResult {
  readonly name: string;
  /** The new version tag, `v<N>`. */
  readonly version: string;
  /** Every tag set: the version and the commit. */
  readonly tags: readonly string[];
  /** Manifest digest: what environments pin. */
  readonly digest: string;
  /** `name:vN`. */
  readonly ref: string;
  /** `name:vN@sha256:…`. */
  readonly pinnedRef: string;
  /** Bytes of config, layers and manifest. */
  readonly size: number;
}

/** A reference resolved to its manifest. */
export interface ResolvedModel {
  readonly name: string;
  /** The tag asked for, if any. */
  readonly tag?: string;
  readonly digest: string;
  readonly manifest: ImageManifest;
  readonly manifestBytes: Uint8Array;
}

/** A pulled model: every byte verified against its digest. */
export interface PulledModel extends ResolvedModel {
  readonly onnx: Uint8Array;
  readonly cardBytes: Uint8Array;
  readonly card: ModelCard;
}

/** Options of {@link ModelRegistry.gc}. */
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

/** One interface over every registry back end. */
export interface ModelRegistry {
  /** Where the registry lives, for messages. */
  readonly location: string;
  /** Stores a model under the next `v<N>` tag and its commit tag. */
  push(input: PushInput): Promise<PushResult>;
  /** Downloads a model and verifies every digest. */
  pull(ref: ModelReference): Promise<PulledModel>;
  /** Finds the manifest a reference names. */
  resolve(ref: ModelReference): Promise<ResolvedModel>;
  /** Model names in the registry. */
  listModels(): Promise<string[]>;
  /** Tags of a model: versions in order, then the others sorted. */
  listTags(name: string): Promise<string[]>;
  /** Adds a tag to the manifest `ref` names. A version tag, or an existing tag without `force`, is never moved. */
  tag(ref: ModelReference, tag: string, options?: { force?: boolean }): Promise<ResolvedModel>;
  /** Deletes the manifest `ref` names and all its tags, unless an environment references it. */
  delete(
    ref: ModelReference,
    options: { protectedDigests: ReadonlySet<string> },
  ): Promise<{ digest: string; tags: string[] }>;
  /** Deletes old versions (with `keepVersions`) and unreachable content, never a protected digest. */
  gc(options: GcOptions): Promise<GcReport>;
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

/** Builds the model registry over a store. */
export function createModelRegistry(store: OciStore): ModelRegistry {
  async function resolve(ref: ModelReference): Promise<ResolvedModel> {
    assertModelName(ref.name);
    const selector = referenceSelector(ref);
    const where = formatModelReference(ref);
    const bytes = await store.getManifest(ref.name, selector);
    if (bytes === undefined) {
      const tags = await store.listTags(ref.name);
      const hint =
        tags.length === 0
          ? `there is no model named ${ref.name} there`
          : `its tags are ${sortTags(tags).slice(-10).join(", ")}`;
      throw new ModelNotFoundError(`model ${where} not found in ${store.description} (404); ${hint}`);
    }
    const digest = ref.digest ?? computeDigest(bytes);
    if (ref.digest !== undefined) verifyDigest(bytes, ref.digest, `manifest ${where}`);
    return {
      name: ref.name,
      ...(ref.tag === undefined ? {} : { tag: ref.tag }),
      digest,
      manifest: parseImageManifest(bytes, where),
      manifestBytes: bytes,
    };
  }

  async function listTags(name: string): Promise<string[]> {
    assertModelName(name);
    return sortTags(await store.listTags(name));
  }

  /** tag → digest for every tag of a model. */
  async function tagDigests(name: string): Promise<Map<string, string>> {
    const map = new Map<string, string>();
    for (const tag of await store.listTags(name)) {
      const digest = await store.resolveTag(name, tag);
      if (digest !== undefined) map.set(tag, digest);
    }
    return map;
  }

  async function pushVersion(input: PushInput, version: string, commitTag: string): Promise<PushResult> {
    const card = parseModelCard(
      { ...input.card, name: input.name, version },
      `model card of ${input.name}:${version}`,
    );
    const artifact = buildModelArtifact(input.onnx, encodeModelCard(card), {
      name: input.name,
      version,
      createdAt: card.created_at,
      gitCommit: card.git_commit,
    });
    // Blobs before the manifest, the manifest before the tags: a tag never names a missing blob.
    for (const blob of [...artifact.layers, artifact.config]) {
      if (!(await store.hasBlob(input.name, blob.descriptor.digest))) await store.putBlob(input.name, blob);
    }
    const tags = [
      { tag: version, overwrite: false },
      { tag: commitTag, overwrite: true },
    ];
    await store.putManifest(input.name, {
      bytes: artifact.manifest,
      digest: artifact.manifestDigest,
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      artifactType: MODEL_ARTIFACT_TYPE,
      tags,
    });
    const size =
      artifact.manifest.byteLength +
      artifact.config.bytes.byteLength +
      artifact.layers.reduce((sum, layer) => sum + layer.bytes.byteLength, 0);
    return {
      name: input.name,
      version,
      tags: tags.map((entry) => entry.tag),
      digest: artifact.manifestDigest,
      ref: `${input.name}:${version}`,
      pinnedRef: `${input.name}:${version}@${artifact.manifestDigest}`,
      size,
    };
  }

  return {
    location: store.description,
    resolve,
    listTags,
    listModels: () => store.listRepositories(),

    async push(input) {
      assertModelName(input.name);
      const commitTag = input.commitTag ?? input.card.git_commit.slice(0, 7);
      assertGitCommitTag(commitTag);
      if (input.onnx.byteLength === 0) throw new RegistryError(`push ${input.name}: the ONNX model is empty`);
      // A concurrent push may take the version we computed; then the next number is tried, a few times.
      for (let attempt = 1; ; attempt += 1) {
        const version = computeNextVersionTag(await store.listTags(input.name));
        try {
          return await pushVersion(input, version, commitTag);
        } catch (error) {
          if (!(error instanceof TagExistsError) || error.tag !== version || attempt >= 5) throw error;
        }
      }
    },

    async pull(ref) {
      const resolved = await resolve(ref);
      const where = formatModelReference({ ...ref, digest: resolved.digest });
      const { weights, card } = findModelLayers(resolved.manifest, where);
      const fetchVerified = async (digest: string, size: number, what: string) => {
        const bytes = await store.getBlob(ref.name, digest);
        verifyDigest(bytes, digest, `${what} of ${where}`, size);
        return bytes;
      };
      await fetchVerified(resolved.manifest.config.digest, resolved.manifest.config.size, "config");
      const onnx = await fetchVerified(weights.digest, weights.size, "layer model.onnx");
      const cardBytes = await fetchVerified(card.digest, card.size, "layer model-card.json");
      return {
        ...resolved,
        onnx,
        cardBytes,
        card: decodeModelCard(cardBytes, `model-card.json of ${where}`),
      };
    },

    async tag(ref, tag, options = {}) {
      assertTag(tag);
      const resolved = await resolve(ref);
      const overwrite = options.force === true && versionOfTag(tag) === undefined;
      await store.putManifest(ref.name, {
        bytes: resolved.manifestBytes,
        digest: resolved.digest,
        mediaType: resolved.manifest.mediaType ?? OCI_MANIFEST_MEDIA_TYPE,
        ...(resolved.manifest.artifactType === undefined
          ? {}
          : { artifactType: resolved.manifest.artifactType }),
        tags: [{ tag, overwrite }],
      });
      return { ...resolved, tag };
    },

    async delete(ref, { protectedDigests }) {
      const resolved = await resolve(ref);
      if (protectedDigests.has(resolved.digest)) {
        throw new RegistryError(
          `refusing to delete ${formatModelReference(ref)} (${resolved.digest}): an environment references it`,
        );
      }
      const tags = [...(await tagDigests(ref.name))].filter(([, d]) => d === resolved.digest).map(([t]) => t);
      await store.deleteManifest(ref.name, resolved.digest);
      return { digest: resolved.digest, tags: sortTags(tags) };
    },

    async gc(options) {
      if (
        options.keepVersions !== undefined &&
        (!Number.isInteger(options.keepVersions) || options.keepVersions < 1)
      ) {
        throw new RegistryError(
          `gc: keep must be a whole number of versions ≥ 1, got ${options.keepVersions}`,
        );
      }
      const deletedManifests: { name: string; digest: string; tags: string[] }[] = [];
      const keptProtected: { name: string; digest: string; tags: string[] }[] = [];
      const removedBlobs: { name: string; digest: string }[] = [];
      for (const name of options.names ?? (await store.listRepositories())) {
        assertModelName(name);
        const byDigest = new Map<string, string[]>();
        for (const [tag, digest] of await tagDigests(name))
          byDigest.set(digest, [...(byDigest.get(digest) ?? []), tag]);
        if (options.keepVersions !== undefined) {
          const versioned = [...byDigest]
            .map(([digest, tags]) => ({
              digest,
              tags,
              newest: Math.max(-1, ...tags.map((t) => versionOfTag(t) ?? -1)),
            }))
            .filter((entry) => entry.newest > 0)
            .sort((a, b) => b.newest - a.newest);
          for (const entry of versioned.slice(options.keepVersions)) {
            const record = { name, digest: entry.digest, tags: sortTags(entry.tags) };
            if (options.protectedDigests.has(entry.digest)) {
              keptProtected.push(record);
              continue;
            }
            await store.deleteManifest(name, entry.digest);
            deletedManifests.push(record);
          }
        }
        if (store.collectGarbage) {
          for (const digest of await store.collectGarbage(name, {
            protectedDigests: options.protectedDigests,
          })) {
            removedBlobs.push({ name, digest });
          }
        }
      }
      return { deletedManifests, removedBlobs, keptProtected };
    },
  };
}

/** Options to open a registry from its location. */
export interface OpenRegistryOptions {
  readonly credentials?: RegistryCredentials;
  readonly fetch?: typeof fetch;
  readonly chunkSize?: number;
  readonly timeoutMs?: number;
  readonly local?: LocalStoreOptions;
}

/** One back end per location kind: the map that picks the store. */
export const registryBackends = {
  local: (location: Extract<RegistryLocation, { kind: "local" }>, options: OpenRegistryOptions) =>
    createLocalStore(location.root, options.local ?? {}),
  remote: (location: Extract<RegistryLocation, { kind: "remote" }>, options: OpenRegistryOptions) =>
    createRemoteStore({
      baseUrl: location.baseUrl,
      namespace: location.namespace,
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.chunkSize === undefined ? {} : { chunkSize: options.chunkSize }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    }),
} satisfies {
  [K in RegistryLocation["kind"]]: (
    location: Extract<RegistryLocation, { kind: K }>,
    options: OpenRegistryOptions,
  ) => OciStore;
};

/** Opens the registry at a parsed location (see `parseRegistryLocation`). */
export function openModelRegistry(
  location: RegistryLocation,
  options: OpenRegistryOptions = {},
): ModelRegistry {
  const store =
    location.kind === "local"
      ? registryBackends.local(location, options)
      : registryBackends.remote(location, options);
  return createModelRegistry(store);
}
