/**
 * The HTTP routes, on node:http directly (no framework: a single-row
 * prediction must cost little more than the model run). KServe v1 and Open
 * Inference Protocol v2 for inference, health and metadata, `/v1/rollout`,
 * `/v1/feedback` and `/metrics`: one route table, each protocol's rows in
 * its own file under `routes/`. Every failure of a request is answered with
 * a JSON error; none can reach the process.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyTooLargeError } from "../common/http/bounded-body.js";
import { RequestError } from "./request-error.js";
import { ADMIN_ROUTES } from "./routes/admin.js";
import { FEEDBACK_ROUTES } from "./routes/feedback-route.js";
import { createInferenceState } from "./routes/inference.js";
import { sendJson } from "./routes/json.js";
import type { HandlerContext, RouteContext, RouteEntry } from "./routes/route-table.js";
import { V1_ROUTES } from "./routes/v1.js";
import { V2_ROUTES } from "./routes/v2.js";

export { MAX_SHADOWS } from "./routes/inference.js";
export type { HandlerContext } from "./routes/route-table.js";

/** Default largest request body, in bytes. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Every route, in the order tried. Each protocol file lists its inference
 * route first: inference is nearly all of the traffic, so it is found after
 * a method check and one pattern or two.
 */
const ROUTES: readonly RouteEntry[] = [...V1_ROUTES, ...V2_ROUTES, ...FEEDBACK_ROUTES, ...ADMIN_ROUTES];

const REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

async function dispatch(
  context: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
): Promise<void> {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  const method = req.method ?? "GET";
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    if (typeof route.path === "string") {
      if (route.path === path) return route.handle(context, req, res, requestId, null);
      continue;
    }
    const match = route.path.exec(path);
    if (match !== null) return route.handle(context, req, res, requestId, match);
  }
  throw new RequestError(404, `no route ${method} ${path.slice(0, 200)}`);
}

/** Answers a request that failed: its own 4xx, 400 for a bad path, else a logged 500. */
function answerFailure(
  context: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  failure: unknown,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const error = failure instanceof BodyTooLargeError ? new RequestError(413, failure.message) : failure;
  if (error instanceof RequestError) {
    const model = context.controller.current()?.env.model ?? "";
    context.metrics.invalid.inc({ model, protocol: (req.url ?? "").startsWith("/v2") ? "v2" : "v1" });
    // The rest of an oversized body is read and dropped, so the caller sees the 413, not a reset.
    if (error.status === 413) req.resume();
    sendJson(res, error.status, { error: error.message }, requestId);
    return;
  }
  if (error instanceof URIError) {
    sendJson(res, 400, { error: `bad percent-encoding in the path: ${error.message}` }, requestId);
    return;
  }
  context.logger.error({ err: error, requestId }, "request failed");
  sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) }, requestId);
}

/** Creates the request handler. */
export function createRequestHandler(
  context: HandlerContext,
): (req: IncomingMessage, res: ServerResponse) => void {
  const routes: RouteContext = { ...context, inference: createInferenceState(context) };
  return (req, res) => {
    const given = req.headers["x-request-id"];
    const requestId = typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    dispatch(routes, req, res, requestId).catch((error: unknown) =>
      answerFailure(routes, req, res, requestId, error),
    );
  };
}
