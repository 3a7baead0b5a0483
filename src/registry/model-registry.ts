/**
 * The model registry: versioned push, verified pull, tags, delete and gc,
 * written once over the {@link OciStore} port. The back end — a local OCI
 * layout or a remote distribution API — is chosen from the registry location
 * by {@link registryBackends}.
 */
import { RegistryError } from "../common/errors.js";
import type { RegistryCredentials } from "./auth.js";
import { computeDigest, verifyDigest } from "./digest.js";
import { findModelLayers, type ImageManifest, parseImageManifest } from "./manifest.js";
import { decodeModelCard, type ModelCard } from "./model-card-schema.js";
import { OCI_MANIFEST_MEDIA_TYPE } from "./media-types.js";
import { collectModelGarbage, type GcOptions, type GcReport } from "./model-gc.js";
import { pushModel, type PushInput, type PushResult } from "./model-push.js";

import { createLocalStore, type LocalStoreOptions } from "./oci-layout.js";
import { createRemoteStore } from "./oci-remote.js";
import { ModelNotFoundError, type OciStore, readTagDigests } from "./oci-store.js";
import {
  assertModelName,
  assertTag,
  formatModelReference,
  type ModelReference,
  referenceSelector,
  type RegistryLocation,
  sortTags,
  versionOfTag,
} from "./reference.js";

export type { GcOptions, GcReport } from "./model-gc.js";
export type { PushInput, PushResult } from "./model-push.js";

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
  /** Adds a tag to the manifest `ref` names. Refuses a `v<N>` tag (pushes number the versions); an existing tag moves only with `force`. */
  tag(ref: ModelReference, tag: string, options?: { force?: boolean }): Promise<ResolvedModel>;
  /** Deletes the manifest `ref` names and all its tags, unless an environment references it. */
  delete(
    ref: ModelReference,
    options: { protectedDigests: ReadonlySet<string> },
  ): Promise<{ digest: string; tags: string[] }>;
  /** Deletes old versions (with `keepVersions`) and unreachable content, never a protected digest. */
  gc(options: GcOptions): Promise<GcReport>;
}

async function resolveModel(store: OciStore, ref: ModelReference): Promise<ResolvedModel> {
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

async function pullModel(store: OciStore, ref: ModelReference): Promise<PulledModel> {
  const resolved = await resolveModel(store, ref);
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
}

async function tagModel(
  store: OciStore,
  ref: ModelReference,
  tag: string,
  options: { force?: boolean },
): Promise<ResolvedModel> {
  assertTag(tag);
  // The next push numbers itself one above the highest v<N>: a hand-made v5 would make it v6 and leave v5 naming another model.
  if (versionOfTag(tag) !== undefined)
    throw new RegistryError(
      `cannot tag ${formatModelReference(ref)} as ${ref.name}:${tag}: v<N> tags are reserved for pushes, which number the versions; choose another tag (for example "release-${tag.slice(1)}" or "stable")`,
    );
  const resolved = await resolveModel(store, ref);
  const overwrite = options.force === true;
  await store.putManifest(ref.name, {
    bytes: resolved.manifestBytes,
    digest: resolved.digest,
    mediaType: resolved.manifest.mediaType ?? OCI_MANIFEST_MEDIA_TYPE,
    ...(resolved.manifest.artifactType === undefined ? {} : { artifactType: resolved.manifest.artifactType }),
    tags: [{ tag, overwrite }],
  });
  return { ...resolved, tag };
}

async function deleteModel(
  store: OciStore,
  ref: ModelReference,
  protectedDigests: ReadonlySet<string>,
): Promise<{ digest: string; tags: string[] }> {
  const resolved = await resolveModel(store, ref);
  if (protectedDigests.has(resolved.digest)) {
    throw new RegistryError(
      `refusing to delete ${formatModelReference(ref)} (${resolved.digest}): an environment references it`,
    );
  }
  const tags = [...(await readTagDigests(store, ref.name))]
    .filter(([, d]) => d === resolved.digest)
    .map(([t]) => t);
  await store.deleteManifest(ref.name, resolved.digest);
  return { digest: resolved.digest, tags: sortTags(tags) };
}

/** Builds the model registry over a store. */
export function createModelRegistry(store: OciStore): ModelRegistry {
  return {
    location: store.description,
    resolve: (ref) => resolveModel(store, ref),
    async listTags(name) {
      assertModelName(name);
      return sortTags(await store.listTags(name));
    },
    listModels: () => store.listRepositories(),
    push: (input) => pushModel(store, input),
    pull: (ref) => pullModel(store, ref),
    tag: (ref, tag, options = {}) => tagModel(store, ref, tag, options),
    delete: (ref, { protectedDigests }) => deleteModel(store, ref, protectedDigests),
    gc: (options) => collectModelGarbage(store, options),
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
