/**
 * The rollout's own routes: `GET /v1/rollout` (its state, for people and
 * scripts), `POST /v1/rollout/{promote,abort}` (bearer token only), and
 * `GET /metrics` for Prometheus.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBoundedBody } from "../../common/http/bounded-body.js";
import { hasBearerToken } from "../../common/http/constant-time.js";
import { RequestError } from "../request-error.js";
import type { RolloutController } from "../rollout-controller.js";
import { sendJson } from "./json.js";
import type { RouteContext, RouteEntry } from "./route-table.js";

/** Largest body a rollout command may carry (it needs none). */
const ADMIN_MAX_BODY_BYTES = 64 * 1024;

/** The rollout as `GET /v1/rollout` shows it. */
export function renderRolloutView(controller: RolloutController): unknown {
  const d = controller.current();
  if (d === null) return { ready: false };
  const r = d.rollout;
  const model = (served: typeof d.stable) =>
    served && { ref: served.slot.ref, digest: served.slot.digest, version: served.slot.version };
  return {
    environment: d.env.name,
    model: d.env.model,
    strategy: r.plan.type,
    phase: r.phase,
    step: r.step,
    steps: r.plan.steps,
    interval_ms: r.plan.intervalMs,
    weights: {
      stable: d.stable === null ? 0 : (100 - r.candidateWeight) / 100,
      candidate: d.candidate === null ? 0 : r.candidateWeight / 100,
    },
    stable: model(d.stable),
    candidate: model(d.candidate),
    failed_checks: r.failedChecks,
    max_failed_checks: r.plan.maxFailedChecks,
    checks: r.lastAnalysis && {
      status: r.lastAnalysis.status,
      requests: r.lastAnalysis.requests,
      results: r.lastAnalysis.results,
    },
    started_at: new Date(r.startedAt).toISOString(),
    history: r.history.map((h) => ({
      at: new Date(h.at).toISOString(),
      phase: h.phase,
      weight: h.weight / 100,
      reason: h.reason,
    })),
  };
}

async function command(
  context: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  action: "promote" | "abort",
  requestId: string,
): Promise<void> {
  await readBoundedBody(req, ADMIN_MAX_BODY_BYTES);
  if (context.adminToken === undefined)
    throw new RequestError(404, "rollout commands are off; start the server with --admin-token-env");
  if (!hasBearerToken(req.headers.authorization ?? "", context.adminToken)) {
    throw new RequestError(401, "missing or wrong bearer token");
  }
  context.controller.observe(
    action === "promote"
      ? { type: "promote", reason: "promoted by request" }
      : { type: "abort", reason: "aborted by request" },
  );
  sendJson(res, 200, renderRolloutView(context.controller), requestId);
}

async function sendMetrics(context: RouteContext, res: ServerResponse, requestId: string): Promise<void> {
  const { registry } = context.metrics;
  const text = await registry.metrics();
  res.writeHead(200, { "content-type": registry.contentType, "x-request-id": requestId });
  res.end(text);
}

/** The rollout and metrics rows of the route table. */
export const ADMIN_ROUTES: readonly RouteEntry[] = [
  {
    method: "POST",
    path: "/v1/rollout/promote",
    handle: (context, req, res, requestId) => command(context, req, res, "promote", requestId),
  },
  {
    method: "POST",
    path: "/v1/rollout/abort",
    handle: (context, req, res, requestId) => command(context, req, res, "abort", requestId),
  },
  {
    method: "GET",
    path: "/v1/rollout",
    handle(context, _req, res, requestId) {
      const degraded = context.degraded?.() ?? null;
      const view = renderRolloutView(context.controller) as Record<string, unknown>;
      sendJson(res, 200, degraded === null ? view : { ...view, degraded }, requestId);
    },
  },
  {
    method: "GET",
    path: "/metrics",
    handle: (context, _req, res, requestId) => sendMetrics(context, res, requestId),
  },
];
