/**
 * Secret redaction lives in `src/common/redact.ts`, beside the sanitiser
 * every poster uses; this file keeps the decision layer's old import path.
 */
export { REDACTED, redactDeep, redactSecrets } from "../common/redact.js";
