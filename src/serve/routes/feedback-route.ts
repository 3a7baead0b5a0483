/** `POST /v1/feedback`: a delayed label joined to the prediction it grades. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBoundedBody } from "../../common/http/bounded-body.js";
import { hasBearerToken } from "../../common/http/constant-time.js";
import { sameLabel } from "../feedback.js";
import { RequestError } from "../request-error.js";
import type { RolloutController, ServedModel } from "../rollout-controller.js";
import { parseJsonBody, sendJson } from "./json.js";
import type { RouteContext, RouteEntry } from "./route-table.js";

/** What a feedback request is told, and the server logs at start, when no token is configured. */
export const FEEDBACK_OFF =
  "POST /v1/feedback is off: no feedback token is configured; start the server with FEEDBACK_TOKEN set (or --feedback-token-env <name>) and send it as a bearer token";

/** The labels of a feedback body: `label`, or `labels` for a request of several rows. */
function parseFeedback(body: unknown): { id: string; given: unknown[] } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new RequestError(400, 'the body must be {"request_id": "...", "label": ...}');
  }
  const { request_id: id, label, labels } = body as Record<string, unknown>;
  if (typeof id !== "string" || id.length === 0)
    throw new RequestError(400, 'field "request_id" must be a non-empty string');
  const given: unknown[] = Array.isArray(labels) ? labels : [label];
  if (
    given.length === 0 ||
    given.some((l) => typeof l !== "string" && typeof l !== "number" && typeof l !== "boolean")
  ) {
    throw new RequestError(
      400,
      'field "label" must be a string, number or boolean (or "labels" an array of them)',
    );
  }
  return { id, given };
}

function findServed(controller: RolloutController, digest: string): ServedModel | undefined {
  const d = controller.current();
  if (d === null) return undefined;
  return [d.stable, d.candidate].find((s): s is ServedModel => s !== null && s.slot.digest === digest);
}

async function takeFeedback(
  context: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
): Promise<void> {
  const body = await readBoundedBody(req, context.maxBodyBytes);
  // Checked before the body is looked at: a label from anyone could drive a candidate's accuracy to an abort.
  if (context.feedbackToken === undefined) throw new RequestError(403, FEEDBACK_OFF);
  if (!hasBearerToken(req.headers.authorization ?? "", context.feedbackToken))
    throw new RequestError(401, "missing or wrong bearer token (the server's FEEDBACK_TOKEN)");
  const { id, given } = parseFeedback(parseJsonBody(body));
  const record = context.feedback.take(id);
  if (record === undefined)
    throw new RequestError(
      404,
      `no prediction is remembered for request_id ${JSON.stringify(id).slice(0, 220)}`,
    );
  if (given.length !== record.labels.length) {
    throw new RequestError(
      400,
      `request ${id} scored ${record.labels.length} rows; got ${given.length} labels`,
    );
  }
  const served = findServed(context.controller, record.digest);
  let correct = 0;
  given.forEach((l, i) => (correct += sameLabel(l, record.labels[i]!) ? 1 : 0));
  if (served !== undefined) {
    const { metrics } = context;
    served.stats.correct += correct;
    served.stats.labelled += given.length;
    const labelsOf = { model: served.slot.name, version: served.slot.version };
    metrics.feedback.inc({ ...labelsOf, outcome: "correct" }, correct);
    metrics.feedback.inc({ ...labelsOf, outcome: "wrong" }, given.length - correct);
    metrics.accuracy.set(labelsOf, served.stats.correct / served.stats.labelled);
  }
  sendJson(res, 200, { request_id: id, rows: given.length, correct }, requestId);
}

/** The feedback route's row of the route table. */
export const FEEDBACK_ROUTES: readonly RouteEntry[] = [
  {
    method: "POST",
    path: "/v1/feedback",
    handle: (context, req, res, requestId) => takeFeedback(context, req, res, requestId),
  },
];
