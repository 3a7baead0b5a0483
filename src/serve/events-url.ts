/**
 * The one check of `--events-url`: every POST to it carries the bearer
 * token or an HMAC signature, so plain http is allowed to a loopback host
 * only. Checked before the server opens any connection.
 */
import { UsageError } from "../common/errors.js";
import { isLoopbackHost } from "../registry/reference.js";

/** The URL events go to, or a UsageError saying why it is refused. */
export function checkEventsUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--events-url ${text}: not a URL; expected https://host/api/alerts`);
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return url;
  if (url.protocol === "http:") {
    throw new UsageError(
      `--events-url ${text}: plain http is allowed to a loopback host only (127.0.0.1, ::1, localhost), because every event carries the bearer token or signature; use https://${url.host}${url.pathname}`,
    );
  }
  throw new UsageError(`--events-url ${text}: expected an https:// URL (or http:// to a loopback host)`);
}
