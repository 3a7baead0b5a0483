/** The model registry: references, ModelPack artifacts, the model card, local and remote back ends. */
export { type RegistryCredentials } from "./auth.js";
export { computeDigest, verifyDigest } from "./digest.js";
export { computeFileSha256 } from "./file-digest.js";
export { type FileSystem, nodeFileSystem } from "./fs-port.js";
export { buildModelArtifact, findModelLayers, parseImageManifest, type ImageManifest } from "./manifest.js";
export * from "./media-types.js";
export { CardFeature, decodeModelCard, encodeModelCard, ModelCard, parseModelCard } from "./model-card.js";
export {
  createModelRegistry,
  openModelRegistry,
  registryBackends,
  sortTags,
  type GcOptions,
  type GcReport,
  type ModelRegistry,
  type OpenRegistryOptions,
  type PulledModel,
  type PushInput,
  type PushResult,
  type ResolvedModel,
} from "./model-registry.js";
export { createLocalStore, type LocalStoreOptions } from "./oci-layout.js";
export { createRemoteStore, type RemoteStoreOptions } from "./oci-remote.js";
export { ModelNotFoundError, type OciStore, TagExistsError } from "./oci-store.js";
export { openConfiguredRegistry, readRegistryCredentials, type RegistryFlags } from "./open-registry.js";
export {
  collectEnvironmentReferences,
  loadEnvironmentDocuments,
  resolveProtectedDigests,
  type EnvironmentReferences,
} from "./protected-digests.js";
export { writeModelFolder, type ModelFolder } from "./pull-output.js";
export {
  computeNextVersionTag,
  DEFAULT_LOCAL_REGISTRY,
  formatModelReference,
  parseModelReference,
  parseRegistryLocation,
  type ModelReference,
  type RegistryLocation,
} from "./reference.js";
