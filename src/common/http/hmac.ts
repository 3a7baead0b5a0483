/**
 * HMAC-SHA256 body signatures between the model server (which signs the
 * events it sends) and the bot's alert route (which checks them). Both sides
 * use this file, so the header name and the format are declared once.
 */
import { createHmac } from "node:crypto";
import { safeEqual } from "./constant-time.js";

/** Header carrying `sha256=<hex HMAC-SHA256 of the body>`. */
export const SIGNATURE_HEADER = "x-meta-controller-signature-256";

/** The {@link SIGNATURE_HEADER} value for `body`: `sha256=` and the hex HMAC-SHA256. */
export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Header carrying the Unix time (seconds) a signed request was made; the signature covers it. */
export const TIMESTAMP_HEADER = "x-meta-controller-timestamp";

/**
 * The {@link SIGNATURE_HEADER} value of a request made at `timestamp` (Unix
 * seconds): the HMAC-SHA256 of `<timestamp>.<body>`, so a captured request
 * cannot be sent again later under a new time.
 */
export function signTimestampedBody(secret: string, timestamp: number, body: string | Buffer): string {
  return signBody(secret, Buffer.concat([Buffer.from(`${timestamp}.`), Buffer.from(body)]));
}

/**
 * Whether `signature` (a {@link SIGNATURE_HEADER} value; case and
 * surrounding spaces ignored) is the signature of `body` under `secret`.
 */
export function hasValidSignature(secret: string, body: string | Buffer, signature: string): boolean {
  return safeEqual(signature.trim().toLowerCase(), signBody(secret, body));
}
