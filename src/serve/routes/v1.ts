/** KServe v1 routes: `POST /v1/models/{name}:predict` and `GET /v1/models/{name}` (readiness). */
import { infer } from "./inference.js";
import { sendJson } from "./json.js";
import { describeModel } from "./metadata.js";
import { modelNameOf, type RouteEntry } from "./route-table.js";

/** The v1 protocol's rows of the route table. */
export const V1_ROUTES: readonly RouteEntry[] = [
  {
    method: "POST",
    path: /^\/v1\/models\/([^/:]+):predict$/,
    handle: (context, req, res, requestId, match) =>
      infer(context.inference, req, res, "v1", modelNameOf(match), requestId),
  },
  {
    method: "GET",
    path: /^\/v1\/models\/([^/:]+)$/,
    handle(context, _req, res, requestId, match) {
      describeModel(context.controller, modelNameOf(match));
      sendJson(res, 200, { name: match?.[1], ready: context.isReady() }, requestId);
    },
  },
];
