/**
 * Open Inference Protocol v2 routes: inference, server and model metadata,
 * health and readiness.
 */
import { TOOL_VERSION } from "../../common/version.js";
import { infer } from "./inference.js";
import { sendJson } from "./json.js";
import { describeModel } from "./metadata.js";
import { versionOf } from "./model-version.js";
import { modelNameOf, type RouteEntry } from "./route-table.js";

/** The v2 protocol's rows of the route table. */
export const V2_ROUTES: readonly RouteEntry[] = [
  {
    method: "POST",
    path: /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?\/infer$/,
    handle: (context, req, res, requestId, match) =>
      infer(context.inference, req, res, "v2", modelNameOf(match), requestId, versionOf(match)),
  },
  {
    method: "GET",
    path: "/v2/health/live",
    handle: (_context, _req, res, requestId) => sendJson(res, 200, { live: true }, requestId),
  },
  {
    method: "GET",
    path: "/v2/health/ready",
    handle(context, _req, res, requestId) {
      const ready = context.isReady();
      const degraded = context.degraded?.() ?? null;
      const condition = degraded === null ? {} : { degraded: true, reason: degraded.reason };
      sendJson(res, ready ? 200 : 503, { ready, ...condition }, requestId);
    },
  },
  {
    method: "GET",
    path: "/v2",
    handle: (_context, _req, res, requestId) =>
      sendJson(
        res,
        200,
        { name: "meta-controller", version: TOOL_VERSION, extensions: ["binary_tensor_data"] },
        requestId,
      ),
  },
  {
    method: "GET",
    path: /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?$/,
    handle: (context, _req, res, requestId, match) =>
      sendJson(res, 200, describeModel(context.controller, modelNameOf(match), versionOf(match)), requestId),
  },
  {
    method: "GET",
    path: /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?\/ready$/,
    handle(context, _req, res, requestId, match) {
      // As server readiness: 200 when ready, 503 when not (clients and probes read the status).
      const name = modelNameOf(match);
      const version = versionOf(match);
      describeModel(context.controller, name, version);
      const ready = context.isReady();
      sendJson(
        res,
        ready ? 200 : 503,
        { name, ...(version === undefined ? {} : { version }), ready },
        requestId,
      );
    },
  },
];
