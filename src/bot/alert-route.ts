/**
 * `POST /api/alerts` on the bot's HTTP server. It authenticates, reads at
 * most `maxBytes`, parses, drops duplicates and queues the work, then
 * answers 202 at once; the incident is handled in the background.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../common/logger.js";
import { AlertPayloadError, normalizeAlertPayload, noticeKey, type AlertNotice } from "./alert-payloads.js";
import type { SeenKeys } from "./dedup.js";

/** Header carrying `sha256=<hex HMAC of the body>`. */
export const ALERT_SIGNATURE_HEADER = "x-meta-controller-signature-256";

/** Settings of the alert route. */
export interface AlertRouteOptions {
  readonly path: string;
  /** Accepted `Authorization: Bearer` token. */
  readonly token: string | undefined;
  /** Secret of the HMAC-SHA256 signature header. */
  readonly hmacSecret: string | undefined;
  readonly maxBytes: number;
  readonly seen: SeenKeys;
  readonly now: () => Date;
  readonly log: Logger;
  /** Receives each new notice; must not block (it queues). */
  readonly accept: (notice: AlertNotice) => void;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** Whether the request proves it knows the token or the HMAC secret. */
export function isAuthorizedAlert(
  headers: IncomingMessage["headers"],
  body: Buffer,
  token: string | undefined,
  hmacSecret: string | undefined,
): boolean {
  const auth = headers.authorization;
  if (token && typeof auth === "string" && /^bearer /i.test(auth) && same(auth.slice(7).trim(), token))
    return true;
  const signature = headers[ALERT_SIGNATURE_HEADER];
  if (hmacSecret && typeof signature === "string") {
    const expected = `sha256=${createHmac("sha256", hmacSecret).update(body).digest("hex")}`;
    return same(signature.trim().toLowerCase(), expected);
  }
  return false;
}

type BodyResult = { ok: true; body: Buffer } | { ok: false; tooLarge: true };

function readLimited(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? "0");
    let size = 0;
    let tooLarge = declared > maxBytes;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      // Keep reading (and dropping) so the client can finish sending and
      // read the 413 instead of seeing a reset connection.
      if (!tooLarge) chunks.push(chunk);
    });
    req.on("end", () =>
      resolve(tooLarge ? { ok: false, tooLarge: true } : { ok: true, body: Buffer.concat(chunks) }),
    );
    req.on("error", reject);
  });
}

/** Creates the Node request handler; it returns false for other paths. */
export function createAlertRoute(options: AlertRouteOptions) {
  return async function alertRoute(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? "/", "http://bot");
    if (url.pathname !== options.path) return false;
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      reply(res, 405, { error: "use POST" });
      return true;
    }
    const read = await readLimited(req, options.maxBytes);
    if (!read.ok) {
      reply(res, 413, { error: `body larger than ${options.maxBytes} bytes` });
      return true;
    }
    if (!options.token && !options.hmacSecret) {
      reply(res, 503, { error: "alert intake is not configured: set ALERT_TOKEN or ALERT_HMAC_SECRET" });
      return true;
    }
    if (!isAuthorizedAlert(req.headers, read.body, options.token, options.hmacSecret)) {
      reply(res, 401, { error: "missing or wrong bearer token or signature" });
      return true;
    }
    let json: unknown;
    try {
      json = JSON.parse(read.body.toString("utf8"));
    } catch (error) {
      reply(res, 400, { error: `malformed JSON: ${error instanceof Error ? error.message : String(error)}` });
      return true;
    }
    let notices: AlertNotice[];
    try {
      notices = normalizeAlertPayload(json);
    } catch (error) {
      if (error instanceof AlertPayloadError) {
        reply(res, 400, { error: error.message });
        return true;
      }
      throw error;
    }
    const nowMs = options.now().getTime();
    let accepted = 0;
    for (const notice of notices) {
      if (!options.seen.firstSeen(noticeKey(notice), nowMs)) continue;
      accepted++;
      options.accept(notice);
    }
    if (notices.some((n) => n.truncated > 0)) {
      options.log.warn(
        { truncated: notices[0]?.truncated },
        "alert sender truncated the group; some alerts were not delivered",
      );
    }
    reply(res, 202, { accepted, duplicates: notices.length - accepted });
    return true;
  };
}
