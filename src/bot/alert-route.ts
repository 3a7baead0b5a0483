/**
 * `POST /api/alerts` on the bot's HTTP server. It reads at most `maxBytes`,
 * authenticates, parses, checks that the credential may act on every
 * repository and environment the alert names, drops duplicates and hands
 * the new notices to `accept`, which keeps them durably; only then does it
 * answer 202. The incident is handled in the background. No log line
 * carries the body.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyTooLargeError, readBoundedBody } from "../common/http/bounded-body.js";
import type { Logger } from "../common/logger.js";
import {
  matchCredential,
  scopeRefusal,
  singleCredentials,
  type AlertCredential,
} from "./alert-credentials.js";
import { AlertPayloadError, normalizeAlertPayload, noticeKey, type AlertNotice } from "./alert-payloads.js";
import type { SeenKeys } from "./dedup.js";

/** Settings of the alert route. */
export interface AlertRouteOptions {
  readonly path: string;
  /** Accepted bearer tokens and HMAC secrets, each with the repositories it may act on. */
  readonly credentials: readonly AlertCredential[];
  /** Where a notice without a `repository` goes. */
  readonly defaultRepository: string | undefined;
  readonly maxBytes: number;
  readonly seen: SeenKeys;
  readonly now: () => Date;
  readonly log: Logger;
  /**
   * Receives the new notices of one request and resolves once they are kept
   * (journaled); a rejection answers 503 so the sender retries.
   */
  readonly accept: (notices: readonly AlertNotice[]) => Promise<void>;
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/**
 * Whether the request proves it knows the token, or carries a signature of
 * its timestamp and body under the HMAC secret made within five minutes.
 */
export function isAuthorizedAlert(
  headers: IncomingMessage["headers"],
  body: Buffer,
  token: string | undefined,
  hmacSecret: string | undefined,
  nowMs: number = Date.now(),
): boolean {
  return matchCredential(headers, body, singleCredentials({ token, hmacSecret }), nowMs) !== undefined;
}

/** The body, or null (after answering 413) when it is over `maxBytes`. */
async function readLimited(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
): Promise<Buffer | null> {
  try {
    return await readBoundedBody(req, maxBytes);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    reply(res, 413, { error: `body larger than ${maxBytes} bytes` });
    return null;
  }
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
    const body = await readLimited(req, res, options.maxBytes);
    if (body === null) return true;
    if (options.credentials.length === 0) {
      reply(res, 503, {
        error: "alert intake is not configured: set ALERT_CREDENTIALS, ALERT_TOKEN or ALERT_HMAC_SECRET",
      });
      return true;
    }
    const credential = matchCredential(req.headers, body, options.credentials, options.now().getTime());
    if (credential === undefined) {
      reply(res, 401, {
        error: "missing or wrong bearer token, or a signature missing, wrong or older than 5 minutes",
      });
      return true;
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString("utf8"));
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
    const refusal = scopeRefusal(credential, notices, options.defaultRepository);
    if (refusal !== undefined) {
      options.log.warn({ credential: credential.label }, `alert refused: ${refusal}`);
      reply(res, 403, { error: refusal });
      return true;
    }
    const nowMs = options.now().getTime();
    const fresh = notices.filter((notice) => options.seen.firstSeen(noticeKey(notice), nowMs));
    try {
      await options.accept(fresh);
    } catch (error) {
      for (const notice of fresh) options.seen.forget(noticeKey(notice));
      options.log.error({ err: error }, "alert could not be journaled; answered 503");
      reply(res, 503, { error: "alert could not be stored; retry" });
      return true;
    }
    const accepted = fresh.length;
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
