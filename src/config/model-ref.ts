/**
 * The textual form of a model reference as it appears in files users write:
 * `name[:tag][@sha256:<64 hex>]`. The registry parses it fully; config only
 * checks its shape so a typo is reported at its line.
 */
import { z } from "zod";

/** Name: lowercase OCI repository path components. */
export const MODEL_NAME_PATTERN = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
/** A `sha256:` digest. */
export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;
const REF_PATTERN =
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** A model reference string, `name[:tag][@sha256:…]`. */
export const ModelRefString = z
  .string()
  .regex(REF_PATTERN, {
    message: "expected a model reference name[:tag][@sha256:<64 hex digits>], e.g. churn:v3@sha256:…",
  })
  .describe("A model reference: `name:tag`, `name@sha256:<digest>` or `name:tag@sha256:<digest>`.");

/** A bare digest, `sha256:<64 hex>`. */
export const DigestString = z
  .string()
  .regex(DIGEST_PATTERN, { message: "expected a digest sha256:<64 lowercase hex digits>" })
  .describe("A content digest, `sha256:<64 hex digits>`.");

/** A model name as used for registry repositories. */
export const ModelName = z
  .string()
  .regex(MODEL_NAME_PATTERN, {
    message: "expected a lowercase name of letters, digits and . _ - separators (an OCI repository name)",
  })
  .describe("Model name: lowercase letters, digits, `.`, `_`, `-`, optionally `/`-separated.");
