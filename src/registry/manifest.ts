/**
 * Building and reading ModelPack manifests. A model is one OCI image manifest
 * with `artifactType` set to the ModelPack model type, a ModelPack config
 * blob, and two raw layers: the ONNX weights and the model card.
 */
import { z } from "zod";
import { RegistryError } from "../common/errors.js";
import { computeDigest } from "./digest.js";
import {
  ANNOTATION_CREATED,
  ANNOTATION_FILEPATH,
  ANNOTATION_REVISION,
  DOCKER_MANIFEST_MEDIA_TYPE,
  MODEL_ARTIFACT_TYPE,
  MODEL_CARD_FILE_NAME,
  MODEL_CONFIG_MEDIA_TYPE,
  MODEL_DOC_RAW_MEDIA_TYPE,
  MODEL_FILE_NAME,
  MODEL_WEIGHT_RAW_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
} from "./media-types.js";

/** An OCI content descriptor. */
export const Descriptor = z.object({
  mediaType: z.string().min(1),
  digest: z.string().regex(/^sha256:[a-f0-9]{64}$/, { message: "expected sha256:<64 hex>" }),
  size: z.number().int().nonnegative(),
  artifactType: z.string().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
/** An OCI content descriptor. */
export type Descriptor = z.infer<typeof Descriptor>;

/** The fields of an OCI image manifest we read; unknown fields are kept by storing the raw bytes. */
export const ImageManifest = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: Descriptor,
  layers: z.array(Descriptor),
  annotations: z.record(z.string(), z.string()).optional(),
});
/** An OCI image manifest. */
export type ImageManifest = z.infer<typeof ImageManifest>;

/** A blob ready to store: its bytes and descriptor. */
export interface Blob {
  readonly descriptor: Descriptor;
  readonly bytes: Uint8Array;
}

/** Everything one push writes: blobs first, then the manifest. */
export interface ModelArtifact {
  readonly config: Blob;
  readonly layers: readonly Blob[];
  readonly manifest: Uint8Array;
  readonly manifestDigest: string;
}

/** What the ModelPack config records about our model. */
export interface ModelConfigInput {
  readonly name: string;
  readonly version: string;
  readonly createdAt: string;
  readonly gitCommit: string;
}

function blobOf(bytes: Uint8Array, mediaType: string, annotations?: Record<string, string>): Blob {
  return {
    bytes,
    descriptor: {
      mediaType,
      digest: computeDigest(bytes),
      size: bytes.byteLength,
      ...(annotations === undefined ? {} : { annotations }),
    },
  };
}

function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/**
 * Builds the ModelPack artifact for an ONNX model and its card. Pure: the
 * same inputs give the same bytes and so the same manifest digest.
 */
export function buildModelArtifact(
  onnx: Uint8Array,
  card: Uint8Array,
  meta: ModelConfigInput,
): ModelArtifact {
  const weights = blobOf(onnx, MODEL_WEIGHT_RAW_MEDIA_TYPE, { [ANNOTATION_FILEPATH]: MODEL_FILE_NAME });
  const doc = blobOf(card, MODEL_DOC_RAW_MEDIA_TYPE, { [ANNOTATION_FILEPATH]: MODEL_CARD_FILE_NAME });
  const layers = [weights, doc];
  const config = blobOf(
    encodeJson({
      descriptor: {
        createdAt: meta.createdAt,
        name: meta.name,
        version: meta.version,
        revision: meta.gitCommit,
      },
      // Raw layers are not archives, so their diff ids are their digests.
      modelfs: { type: "layers", diffIds: layers.map((layer) => layer.descriptor.digest) },
      config: { format: "onnx" },
    }),
    MODEL_CONFIG_MEDIA_TYPE,
  );
  const manifest = encodeJson({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST_MEDIA_TYPE,
    artifactType: MODEL_ARTIFACT_TYPE,
    config: config.descriptor,
    layers: layers.map((layer) => layer.descriptor),
    annotations: { [ANNOTATION_CREATED]: meta.createdAt, [ANNOTATION_REVISION]: meta.gitCommit },
  });
  return { config, layers, manifest, manifestDigest: computeDigest(manifest) };
}

/** Parses manifest bytes, throwing a {@link RegistryError} naming `where` and the bad field. */
export function parseImageManifest(bytes: Uint8Array, where: string): ImageManifest {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new RegistryError(`manifest of ${where} is not JSON`, { cause: error });
  }
  const result = ImageManifest.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.map(String).join(".") || "(manifest)";
    throw new RegistryError(
      `manifest of ${where} is not an OCI image manifest: ${field}: ${issue?.message ?? "invalid"}`,
    );
  }
  const manifest = result.data;
  if (
    manifest.mediaType !== undefined &&
    manifest.mediaType !== OCI_MANIFEST_MEDIA_TYPE &&
    manifest.mediaType !== DOCKER_MANIFEST_MEDIA_TYPE
  ) {
    throw new RegistryError(
      `manifest of ${where} has media type ${manifest.mediaType}; expected ${OCI_MANIFEST_MEDIA_TYPE}`,
    );
  }
  return manifest;
}

/** The layer that unpacks to `filepath`, found by the ModelPack annotation. */
export function findLayerByFilepath(manifest: ImageManifest, filepath: string): Descriptor | undefined {
  return manifest.layers.find((layer) => layer.annotations?.[ANNOTATION_FILEPATH] === filepath);
}

/**
 * The weights and card layers of a model manifest, or a {@link RegistryError}
 * saying which is missing (an artifact some other tool pushed, say).
 */
export function findModelLayers(
  manifest: ImageManifest,
  where: string,
): { weights: Descriptor; card: Descriptor } {
  if (manifest.artifactType !== undefined && manifest.artifactType !== MODEL_ARTIFACT_TYPE) {
    throw new RegistryError(
      `${where} is a ${manifest.artifactType} artifact, not a model (${MODEL_ARTIFACT_TYPE})`,
    );
  }
  const weights = findLayerByFilepath(manifest, MODEL_FILE_NAME);
  const card = findLayerByFilepath(manifest, MODEL_CARD_FILE_NAME);
  if (weights === undefined || card === undefined) {
    const missing = weights === undefined ? MODEL_FILE_NAME : MODEL_CARD_FILE_NAME;
    throw new RegistryError(
      `${where} has no layer annotated ${ANNOTATION_FILEPATH}: ${missing}; it is not a model we can serve`,
    );
  }
  return { weights, card };
}
