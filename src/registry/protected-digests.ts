/**
 * Which digests gc must keep: every digest an environment file references
 * (`stable`, `candidate`, quarantine — a rolled-back model stays for audit),
 * plus what tag-only references resolve to today.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { RegistryError } from "../common/errors.js";
import { describeFileError, errorCode } from "./fs-port.js";
import type { ModelRegistry } from "./model-registry.js";
import { ModelNotFoundError } from "./oci-store.js";
import { type ModelReference, parseModelReference } from "./reference.js";

const DIGEST_IN_TEXT = /sha256:[a-f0-9]{64}/g;
const REFERENCE_KEYS = new Set(["stable", "candidate"]);

/** What environment documents reference: pinned digests and references by tag only. */
export interface EnvironmentReferences {
  readonly digests: Set<string>;
  /** `stable: churn:v3` without a digest: resolved by {@link resolveProtectedDigests}. */
  readonly tagReferences: ModelReference[];
}

/**
 * Walks parsed environment documents (any JSON/YAML value) and collects every
 * `sha256:` digest in any string, and the tag-only references under `stable`
 * and `candidate`. Pure; the caller reads and parses `environments/*.yaml`.
 */
export function collectEnvironmentReferences(documents: readonly unknown[]): EnvironmentReferences {
  const digests = new Set<string>();
  const tagReferences: ModelReference[] = [];
  const visit = (value: unknown, key: string | undefined): void => {
    if (typeof value === "string") {
      for (const match of value.matchAll(DIGEST_IN_TEXT)) digests.add(match[0]);
      if (key !== undefined && REFERENCE_KEYS.has(key) && !value.includes("@")) {
        try {
          tagReferences.push(parseModelReference(value));
        } catch {
          // Not a reference: the environment loader reports it at its line; gc only protects.
        }
      }
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, undefined);
    } else if (typeof value === "object" && value !== null) {
      for (const [childKey, child] of Object.entries(value)) visit(child, childKey);
    }
  };
  for (const document of documents) visit(document, undefined);
  return { digests, tagReferences };
}

/**
 * The set gc receives: every pinned digest, plus the digest each tag-only
 * reference resolves to (a tag the registry does not have protects nothing).
 */
export async function resolveProtectedDigests(
  registry: Pick<ModelRegistry, "resolve">,
  references: EnvironmentReferences,
): Promise<Set<string>> {
  const result = new Set(references.digests);
  for (const ref of references.tagReferences) {
    try {
      result.add((await registry.resolve(ref)).digest);
    } catch (error) {
      // Missing in this registry: nothing there to protect. Any other failure stops gc.
      if (!(error instanceof ModelNotFoundError)) throw error;
    }
  }
  return result;
}

/**
 * Reads every `*.yaml`/`*.yml` in the environments folder as plain YAML. A
 * file that does not parse stops gc: it cannot know what that file protects.
 * A missing folder protects nothing.
 */
export async function loadEnvironmentDocuments(dir: string): Promise<unknown[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name)).sort();
  } catch (error) {
    if (errorCode(error) === "ENOENT") return [];
    throw describeFileError(error, "list", dir);
  }
  const documents: unknown[] = [];
  for (const name of names) {
    const path = join(dir, name);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      throw describeFileError(error, "read", path);
    }
    try {
      documents.push(parseYaml(text) as unknown);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new RegistryError(
        `${path}: not valid YAML (${reason}); gc will not run without knowing what it references`,
        {
          cause: error,
        },
      );
    }
  }
  return documents;
}
