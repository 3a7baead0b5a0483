/**
 * What is deployed is a digest: a reference given by tag is pinned to the
 * digest the registry holds for it, keeping the tag for people to read.
 */
import { UsageError } from "../common/errors.js";
import type { ModelRegistry } from "../registry/model-registry.js";
import { formatModelReference, parseModelReference } from "../registry/reference.js";

/** `name:tag@sha256:…` for `name:tag`, `name@sha256:…` or both (a reference with both is returned as is). */
export async function pinModelReference(registry: ModelRegistry, modelRef: string): Promise<string> {
  const ref = parseModelReference(modelRef);
  if (ref.digest !== undefined && ref.tag !== undefined) return modelRef;
  if (ref.digest === undefined && ref.tag === undefined) {
    throw new UsageError(`model reference ${modelRef}: name a tag (name:v3) or a digest (name@sha256:…)`);
  }
  const resolved = await registry.resolve(ref);
  const tag = resolved.tag ?? ref.tag;
  return formatModelReference({
    name: resolved.name,
    ...(tag === undefined ? {} : { tag }),
    digest: resolved.digest,
  });
}
