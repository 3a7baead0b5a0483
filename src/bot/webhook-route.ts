/**
 * `POST /api/github/webhooks`, bounded before anyone is authenticated: the
 * body is refused with 413 as soon as its declared length or the bytes
 * received pass the cap, the signature (`X-Hub-Signature-256`) is checked
 * on the bytes read, and only then is the event handed to the app. A
 * refused request is logged by its size and delivery id, never its body.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyTooLargeError, readBoundedBody } from "../common/http/bounded-body.js";
import { hasValidSignature } from "../common/http/hmac.js";
import type { Logger } from "../common/logger.js";

/** Where verified events go: Probot's `webhooks.receive`. */
export type ReceiveEvent = (event: { id: string; name: string; payload: unknown }) => Promise<void>;

/** Settings of the webhook route. */
export interface WebhookRouteOptions {
  readonly path: string;
  readonly secret: string;
  /** Largest body, bytes. */
  readonly maxBytes: number;
  /** How long to wait for the handlers before answering 202 (GitHub gives up after 10 s). */
  readonly answerWithinMs: number;
  readonly receive: ReceiveEvent;
  readonly log: Logger;
}

function reply(res: ServerResponse, status: number, text: string, close = false): void {
  res.writeHead(status, { "content-type": "text/plain", ...(close ? { connection: "close" } : {}) });
  res.end(text);
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return typeof value === "string" ? value.slice(0, 100) : "";
}

async function readOrRefuse(
  req: IncomingMessage,
  res: ServerResponse,
  options: WebhookRouteOptions,
): Promise<Buffer | undefined> {
  try {
    return await readBoundedBody(req, options.maxBytes);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    options.log.warn(
      { delivery: header(req, "x-github-delivery"), limit: options.maxBytes, declared: error.declared },
      "webhook body over the cap refused",
    );
    reply(res, 413, `body larger than ${options.maxBytes} bytes`, true);
    return undefined;
  }
}

/** Creates the Node request handler; it returns false for other paths. */
export function createWebhookRoute(options: WebhookRouteOptions) {
  return async function webhookRoute(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (new URL(req.url ?? "/", "http://bot").pathname !== options.path) return false;
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      reply(res, 405, "use POST");
      return true;
    }
    const body = await readOrRefuse(req, res, options);
    if (body === undefined) return true;
    const id = header(req, "x-github-delivery");
    const name = header(req, "x-github-event");
    const signature = req.headers["x-hub-signature-256"];
    if (typeof signature !== "string" || !hasValidSignature(options.secret, body, signature)) {
      options.log.warn(
        { delivery: id, event: name, bytes: body.length },
        "webhook with a missing or wrong signature refused: check that WEBHOOK_SECRET matches the app's",
      );
      reply(res, 400, "signature does not match");
      return true;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString("utf8"));
    } catch {
      reply(res, 400, "malformed JSON");
      return true;
    }
    const handled = options.receive({ id, name, payload }).then(
      () => 200,
      // Probot's error handler has logged the failure (bounded); GitHub learns it failed.
      () => 500,
    );
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<number>(
      (resolve) => (timer = setTimeout(() => resolve(202), options.answerWithinMs)),
    );
    const status = await Promise.race([handled, late]);
    clearTimeout(timer);
    reply(res, status, status === 500 ? "handling failed" : "ok");
    return true;
  };
}
