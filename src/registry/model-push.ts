/**
 * Versioned push: the next `v<N>` tag and the commit tag on a ModelPack
 * artifact, blobs before the manifest and the manifest before the tags, so a
 * tag never names a missing blob.
 */
import { RegistryError } from "../common/errors.js";
import { buildModelArtifact } from "./manifest.js";
import { MODEL_ARTIFACT_TYPE, OCI_MANIFEST_MEDIA_TYPE } from "./media-types.js";
import { encodeModelCard, parseModelCard, type ModelCard } from "./model-card-schema.js";
import { type OciStore, TagExistsError } from "./oci-store.js";
import { assertGitCommitTag, assertModelName, computeNextVersionTag } from "./reference.js";

/** What the pipeline hands to `ModelRegistry.push`. */
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

/** Pushes under one version tag; TagExistsError when a concurrent push took it first. */
async function pushVersion(
  store: OciStore,
  input: PushInput,
  version: string,
  commitTag: string,
): Promise<PushResult> {
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

/** Stores a model under the next `v<N>` tag and its commit tag. */
export async function pushModel(store: OciStore, input: PushInput): Promise<PushResult> {
  assertModelName(input.name);
  const commitTag = input.commitTag ?? input.card.git_commit.slice(0, 7);
  assertGitCommitTag(commitTag);
  if (input.onnx.byteLength === 0) throw new RegistryError(`push ${input.name}: the ONNX model is empty`);
  // A concurrent push may take the version we computed; then the next number is tried, a few times.
  for (let attempt = 1; ; attempt += 1) {
    const version = computeNextVersionTag(await store.listTags(input.name));
    try {
      return await pushVersion(store, input, version, commitTag);
    } catch (error) {
      if (!(error instanceof TagExistsError) || error.tag !== version || attempt >= 5) throw error;
    }
  }
}
