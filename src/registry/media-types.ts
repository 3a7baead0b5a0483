/**
 * Media types and annotations of the artifacts we store. Models follow the
 * CNCF ModelPack specification (modelpack/model-spec, `specs-go/v1`) so that
 * tools which know it — and plain OCI tools such as skopeo or oras — can read
 * what we push.
 */

/** OCI image manifest, the envelope of every model artifact. */
export const OCI_MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
/** OCI image index: `index.json` of a layout. */
export const OCI_INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json";
/** Docker schema 2 manifest: accepted on pull so a registry that converts still answers. */
export const DOCKER_MANIFEST_MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json";

/** ModelPack `artifactType` of a model manifest. */
export const MODEL_ARTIFACT_TYPE = "application/vnd.cncf.model.manifest.v1+json";
/** ModelPack model config blob. */
export const MODEL_CONFIG_MEDIA_TYPE = "application/vnd.cncf.model.config.v1+json";
/** ModelPack raw (untarred, uncompressed) weights layer: our `model.onnx`. */
export const MODEL_WEIGHT_RAW_MEDIA_TYPE = "application/vnd.cncf.model.weight.v1.raw";
/** ModelPack raw documentation layer: our `model-card.json`. */
export const MODEL_DOC_RAW_MEDIA_TYPE = "application/vnd.cncf.model.doc.v1.raw";

/** ModelPack annotation naming the file a raw layer unpacks to. */
export const ANNOTATION_FILEPATH = "org.cncf.model.filepath";
/** OCI annotation naming a tag in a layout's `index.json`. */
export const ANNOTATION_REF_NAME = "org.opencontainers.image.ref.name";
/** OCI annotation with the creation time of the artifact. */
export const ANNOTATION_CREATED = "org.opencontainers.image.created";
/** OCI annotation with the source revision. */
export const ANNOTATION_REVISION = "org.opencontainers.image.revision";

/** File name of the weights inside a pulled model folder and in the layer annotation. */
export const MODEL_FILE_NAME = "model.onnx";
/** File name of the model card inside a pulled model folder and in the layer annotation. */
export const MODEL_CARD_FILE_NAME = "model-card.json";
