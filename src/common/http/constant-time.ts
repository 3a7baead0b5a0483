/**
 * Comparisons of secrets (bearer tokens, signatures) whose running time does
 * not depend on where, or whether, the strings differ.
 */
import { createHash, timingSafeEqual } from "node:crypto";

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/**
 * Whether two secrets are equal, in time that depends on neither their
 * contents nor the length of the guess: both are hashed to 32 bytes first,
 * so `timingSafeEqual` always compares equal lengths and a caller probing
 * lengths learns nothing from an early return.
 */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b)) && a === b;
}

/**
 * Whether an `Authorization` header carries `Bearer <token>` (scheme case
 * insensitive, surrounding spaces ignored), compared with {@link safeEqual}.
 */
export function hasBearerToken(authorization: string | undefined, token: string): boolean {
  if (typeof authorization !== "string" || !/^bearer /i.test(authorization)) return false;
  return safeEqual(authorization.slice(7).trim(), token);
}

/** The `Authorization` header value for a bearer token. */
export function bearerHeader(token: string): string {
  return `Bearer ${token}`;
}
