/**
 * The inference path shared by KServe v1 and Open Inference Protocol v2:
 * route the request to a model, parse it for that model, predict (falling
 * back to the other model when one fails), answer, then count the answer.
 * This is the server's hot path: it allocates per request only what the
 * request needs, and looks up labelled metric children once per model.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBoundedBody } from "../../common/http/bounded-body.js";
import type { ServingRole } from "../../deploy/route.js";
import type { OnnxClassification, OnnxRegression } from "../../onnx/index.js";
import { INFERENCE_HEADER_LENGTH, splitBinaryBody } from "../binary-tensors.js";
import { checkRequestedOutputs, formatV1, formatV2 } from "../format-response.js";
import { observePredictions, type ServerMetrics } from "../metrics.js";
import { recordInputs } from "../model-stats.js";
import {
  parseV1Instances,
  parseV2Inputs,
  readMissingTokens,
  type ParsedInput,
  type ParsedV2Input,
} from "../parse-request.js";
import { RequestError } from "../request-error.js";
import type { Route, ServedModel } from "../rollout-controller.js";
import { parseJsonBody, sendBinary, sendJson } from "./json.js";
import type { HandlerContext } from "./handler-context.js";
import { resolveCallableVersion } from "./model-version.js";

/** Shadow runs of a blue-green candidate allowed at once. */
export const MAX_SHADOWS = 4;

/** The inference protocol of a request. */
export type Protocol = "v1" | "v2";

interface Children {
  readonly requests: ReturnType<ServerMetrics["requests"]["labels"]>;
  readonly errors: ReturnType<ServerMetrics["errors"]["labels"]>;
  readonly duration: ReturnType<ServerMetrics["duration"]["labels"]>;
  readonly rows: ReturnType<ServerMetrics["rows"]["labels"]>;
}

/** What the inference routes keep between requests. */
export interface InferenceState {
  readonly context: HandlerContext;
  /** Labelled children looked up once per model and role, not per request. */
  readonly children: WeakMap<ServedModel, Map<ServingRole, Children>>;
  shadowsInFlight: number;
}

/** A request body read as the protocol says: JSON, or JSON followed by binary tensor data. */
interface InferBody {
  readonly json: unknown;
  readonly binary?: Buffer;
}

/** Creates the state of the inference routes. */
export function createInferenceState(context: HandlerContext): InferenceState {
  return { context, children: new WeakMap(), shadowsInFlight: 0 };
}

function childrenOf(state: InferenceState, served: ServedModel, role: ServingRole): Children {
  let byRole = state.children.get(served);
  if (byRole === undefined) state.children.set(served, (byRole = new Map<ServingRole, Children>()));
  let found = byRole.get(role);
  if (found === undefined) {
    const { metrics } = state.context;
    const labels = { model: served.slot.name, version: served.slot.version, role };
    found = {
      requests: metrics.requests.labels(labels),
      errors: metrics.errors.labels(labels),
      duration: metrics.duration.labels(labels),
      rows: metrics.rows.labels(labels),
    };
    byRole.set(role, found);
  }
  return found;
}

function otherRole(role: ServingRole): ServingRole {
  return role === "candidate" ? "stable" : "candidate";
}

function readInferBody(raw: Buffer, req: IncomingMessage, protocol: Protocol): InferBody {
  const headerLength = req.headers[INFERENCE_HEADER_LENGTH];
  if (protocol === "v1" || typeof headerLength !== "string") return { json: parseJsonBody(raw) };
  const { json, binary } = splitBinaryBody(raw, headerLength);
  return { json: parseJsonBody(json), binary };
}

/** Parses the body for one model: each model may take other features. */
function parseFor(protocol: Protocol, body: InferBody, served: ServedModel): ParsedInput | ParsedV2Input {
  const missing = readMissingTokens(served.slot.card);
  if (protocol === "v1") return parseV1Instances(body.json, served.slot.card.features, missing);
  const parsed = parseV2Inputs(body.json, served.slot.card.features, body.binary, missing);
  checkRequestedOutputs(served.slot.card.task, parsed.outputs);
  return parsed;
}

/** The route for a request to model `name`, honouring the strategy's sticky header. */
function routeFor(state: InferenceState, req: IncomingMessage, name: string): Route {
  const { controller } = state.context;
  const stickyHeader = controller.current()?.env.strategy.sticky_key;
  const stickyValue = stickyHeader === undefined ? undefined : req.headers[stickyHeader.toLowerCase()];
  const route = controller.route(typeof stickyValue === "string" ? stickyValue : undefined);
  if (route === null) throw new RequestError(503, "no model is loaded yet");
  if (name !== route.deployment.env.model) {
    throw new RequestError(
      404,
      `model ${JSON.stringify(name)} is not served here; this server serves ${JSON.stringify(route.deployment.env.model)}`,
    );
  }
  return route;
}

/** The route of a request to one version: that model answers, with no fallback to the other. */
function pinnedRoute(state: InferenceState, name: string, version: string): Route {
  const pinned = resolveCallableVersion(state.context.controller, name, version);
  return { served: pinned.served, role: pinned.role, fallback: null, deployment: pinned.deployment };
}

/**
 * Answers an inference request on `/v1/models/{name}:predict` or
 * `/v2/models/{name}[/versions/{version}]/infer`; with a version, that
 * model answers whatever the traffic split says.
 */
export async function infer(
  state: InferenceState,
  req: IncomingMessage,
  res: ServerResponse,
  protocol: Protocol,
  name: string,
  requestId: string,
  version?: string,
): Promise<void> {
  const started = performance.now();
  const body = readInferBody(await readBoundedBody(req, state.context.maxBodyBytes), req, protocol);
  const route = version === undefined ? routeFor(state, req, name) : pinnedRoute(state, name, version);
  let served = route.served;
  let role = route.role;
  let input: ParsedInput | ParsedV2Input;
  try {
    input = parseFor(protocol, body, served);
  } catch (error) {
    // The candidate may take other features; if the stable model accepts the request, it answers.
    if (!(error instanceof RequestError) || route.fallback === null) throw error;
    input = parseFor(protocol, body, route.fallback);
    served = route.fallback;
    role = otherRole(role);
  }
  let release = served.slot.hold();
  let result: OnnxClassification | OnnxRegression;
  try {
    result = await served.slot.predict(input.columns);
  } catch (error) {
    release();
    countFailure(state, route, served, role, input, started, error, requestId);
    const fallback = route.fallback;
    if (fallback === null) throw error;
    // The caller gets the other model's answer; the failure still counts against the first.
    served = fallback;
    role = otherRole(role);
    input = parseFor(protocol, body, served);
    release = served.slot.hold();
    try {
      result = await served.slot.predict(input.columns);
    } catch (second) {
      release();
      childrenOf(state, served, role).errors.inc();
      throw second;
    }
  }
  release();
  respond(res, served, result, input, requestId);
  // Counting the answer (metrics, drift windows, the rollout analysis, the
  // feedback memory) follows in the same turn of the event loop, so no
  // other request can see the gap, but the caller does not wait for it.
  countAnswer(state, route, served, role, result, input, started, requestId);
  shadow(state, route, protocol, body);
}

/** Counts a model's failure against it (inputs, the rollout analysis, metrics) and logs it. */
function countFailure(
  state: InferenceState,
  route: Route,
  served: ServedModel,
  role: ServingRole,
  input: ParsedInput,
  started: number,
  error: unknown,
  requestId: string,
): void {
  recordInputs(served.stats, input.columns, input.nRows);
  const latency = performance.now() - started;
  state.context.controller.finish(route, served, role, latency, true);
  const c = childrenOf(state, served, role);
  c.errors.inc();
  c.requests.inc();
  state.context.logger.warn(
    { err: error, version: served.slot.version, role, requestId },
    "model failed a request",
  );
}

/** Counts an answered request: metrics, drift windows, the rollout analysis, the feedback memory. */
function countAnswer(
  state: InferenceState,
  route: Route,
  served: ServedModel,
  role: ServingRole,
  result: OnnxClassification | OnnxRegression,
  input: ParsedInput,
  started: number,
  requestId: string,
): void {
  const seconds = (performance.now() - started) / 1000;
  const c = childrenOf(state, served, role);
  c.requests.inc();
  c.duration.observe(seconds);
  c.rows.inc(input.nRows);
  recordPredictions(state.context.metrics, served, role, result, input.nRows);
  recordInputs(served.stats, input.columns, input.nRows);
  state.context.controller.finish(route, served, role, seconds * 1000, false);
  state.context.feedback.remember(requestId, {
    digest: served.slot.digest,
    labels: result.task === "classification" ? result.labels : Array.from(result.values),
  });
}

function recordPredictions(
  metrics: ServerMetrics,
  served: ServedModel,
  role: ServingRole,
  result: OnnxClassification | OnnxRegression,
  nRows: number,
): void {
  observePredictions(metrics, { model: served.slot.name, version: served.slot.version, role }, result, nRows);
  if (result.task !== "classification") return;
  const labels = { model: served.slot.name, version: served.slot.version, role, class: "" };
  if (nRows === 1) {
    metrics.predictions.inc({ ...labels, class: String(result.labels[0]) });
    return;
  }
  const counts = new Map<string, number>();
  for (const label of result.labels) counts.set(String(label), (counts.get(String(label)) ?? 0) + 1);
  for (const [label, n] of counts) metrics.predictions.inc({ ...labels, class: label }, n);
}

function respond(
  res: ServerResponse,
  served: ServedModel,
  result: OnnxClassification | OnnxRegression,
  input: ParsedInput | ParsedV2Input,
  requestId: string,
): void {
  if (!("outputs" in input)) {
    sendJson(res, 200, formatV1(result, input.nRows), requestId, served.slot.version);
    return;
  }
  const head = {
    model_name: served.slot.name,
    model_version: served.slot.version,
    id: input.id ?? requestId,
  };
  const response = formatV2(result, input.nRows, head, input.outputs, input.allBinary);
  if (response.binary.length === 0) sendJson(res, 200, response.json, requestId, served.slot.version);
  else sendBinary(res, response.json, response.binary, requestId, served.slot.version);
}

/**
 * A blue-green candidate takes no traffic until it passes its checks, so
 * it is judged on copies: after the caller has its answer, the same
 * request runs on the candidate in the background. At most
 * {@link MAX_SHADOWS} copies run at once, so a burst cannot pile up work.
 */
function shadow(state: InferenceState, route: Route, protocol: Protocol, body: InferBody): void {
  const d = route.deployment;
  const candidate = d.candidate;
  if (d.rollout.plan.type !== "blue-green" || d.rollout.phase !== "progressing" || candidate === null) return;
  if (route.served === candidate || state.shadowsInFlight >= MAX_SHADOWS) return;
  let input: ParsedInput;
  try {
    input = parseFor(protocol, body, candidate);
  } catch {
    return;
  }
  const { controller, logger } = state.context;
  state.shadowsInFlight++;
  const release = candidate.slot.hold();
  const started = performance.now();
  recordInputs(candidate.stats, input.columns, input.nRows);
  candidate.slot
    .predict(input.columns)
    .then(
      () => controller.finish(route, candidate, "candidate", performance.now() - started, false),
      (error: unknown) => {
        logger.warn(
          { err: error, version: candidate.slot.version },
          "blue-green candidate failed a shadow request",
        );
        controller.finish(route, candidate, "candidate", performance.now() - started, true);
      },
    )
    .finally(() => {
      release();
      state.shadowsInFlight--;
    });
}
