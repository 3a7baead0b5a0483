/**
 * Content digests. Every blob and manifest is addressed by the SHA-256 of its
 * bytes, and every pull recomputes it: what was stored is what we serve.
 */
import { createHash } from "node:crypto";
import { RegistryError } from "../common/errors.js";

/** `sha256:<hex>` of the bytes. */
export function computeDigest(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** The hex part of a `sha256:` digest. */
export function digestHex(digest: string): string {
  return digest.slice("sha256:".length);
}

/**
 * Throws a {@link RegistryError} naming both digests when `bytes` do not hash
 * to `expected` (a corrupted blob, a tampered registry, a truncated download).
 * @param what names the object in the message, e.g. `layer model.onnx of churn:v3`.
 */
export function verifyDigest(bytes: Uint8Array, expected: string, what: string, expectedSize?: number): void {
  const actual = computeDigest(bytes);
  if (actual !== expected) {
    throw new RegistryError(
      `digest mismatch for ${what}: expected ${expected}, got ${actual} (${bytes.byteLength} bytes); the stored content is corrupt or was replaced`,
    );
  }
  if (expectedSize !== undefined && expectedSize !== bytes.byteLength) {
    throw new RegistryError(
      `size mismatch for ${what} (${expected}): the manifest says ${expectedSize} bytes, the blob has ${bytes.byteLength}`,
    );
  }
}
