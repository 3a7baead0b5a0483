/**
 * The HTTP routes, on node:http directly (no framework: a single-row
 * prediction must cost little more than the model run). KServe v1 and Open
 * Inference Protocol v2 for inference, health and metadata, `/v1/rollout`,
 * `/v1/feedback` and `/metrics`. Every failure of a request is answered with
 * a JSON error; none can reach the process.
 */
import { randomUUID, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { TOOL_VERSION } from "../common/version.js";
import type { ServingRole } from "../deploy/route.js";
import type { OnnxClassification, OnnxRegression } from "../onnx/index.js";
import type { RolloutController, Route, ServedModel } from "./rollout-controller.js";
import { sameLabel, type FeedbackStore } from "./feedback.js";
import { observePredictions, type ServerMetrics } from "./metrics.js";
import { recordInputs } from "./model-stats.js";
import { INFERENCE_HEADER_LENGTH, splitBinaryBody } from "./binary-tensors.js";
import { checkRequestedOutputs, formatV1, formatV2 } from "./format-response.js";
import { parseV1Instances, parseV2Inputs, type ParsedInput, type ParsedV2Input } from "./parse-request.js";
import { RequestError } from "./request-error.js";

/** Shadow runs of a blue-green candidate allowed at once. */
export const MAX_SHADOWS = 4;

/** Default largest request body, in bytes. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** What the routes use. */
export interface HandlerContext {
  readonly controller: RolloutController;
  readonly metrics: ServerMetrics;
  readonly feedback: FeedbackStore;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  /** Bearer token for `POST /v1/rollout/{promote,abort}`; the routes are off without it. */
  readonly adminToken?: string;
  /** False while starting and while draining. */
  readonly isReady: () => boolean;
}

type Protocol = "v1" | "v2";

const REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  requestId?: string,
  modelVersion?: string,
): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  };
  if (requestId !== undefined) headers["x-request-id"] = requestId;
  // Which version answered, so callers (and tests) can see the split.
  if (modelVersion !== undefined) headers["x-model-version"] = modelVersion;
  res.writeHead(status, headers);
  res.end(text);
}

/** Sends a binary-extension response: the JSON header, then the tensor blocks. */
function sendBinary(
  res: ServerResponse,
  json: unknown,
  blocks: readonly Buffer[],
  requestId: string,
  modelVersion: string,
): void {
  const head = Buffer.from(JSON.stringify(json), "utf8");
  const body = Buffer.concat([head, ...blocks]);
  res.writeHead(200, {
    "content-type": "application/octet-stream",
    "content-length": body.length,
    [INFERENCE_HEADER_LENGTH]: head.length,
    "x-request-id": requestId,
    "x-model-version": modelVersion,
  });
  res.end(body);
}

/** A request body read as the protocol says: JSON, or JSON followed by binary tensor data. */
interface InferBody {
  readonly json: unknown;
  readonly binary?: Buffer;
}

function readInferBody(raw: Buffer, req: IncomingMessage, protocol: Protocol): InferBody {
  const headerLength = req.headers[INFERENCE_HEADER_LENGTH];
  if (protocol === "v1" || typeof headerLength !== "string") return { json: parseJson(raw) };
  const { json, binary } = splitBinaryBody(raw, headerLength);
  return { json: parseJson(json), binary };
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > limit) {
      reject(new RequestError(413, `the body is ${declared} bytes; the limit is ${limit}`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(new RequestError(413, `the body is larger than the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    req.on("error", (error) => {
      if (!failed) reject(error);
    });
  });
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) throw new RequestError(400, "the body is empty; send a JSON object");
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (error) {
    // A RangeError here is nesting deeper than the parser's stack: still the caller's JSON.
    const reason = error instanceof Error ? error.message : String(error);
    throw new RequestError(400, `the body is not valid JSON: ${reason.slice(0, 200)}`);
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

interface Children {
  readonly requests: ReturnType<ServerMetrics["requests"]["labels"]>;
  readonly errors: ReturnType<ServerMetrics["errors"]["labels"]>;
  readonly duration: ReturnType<ServerMetrics["duration"]["labels"]>;
  readonly rows: ReturnType<ServerMetrics["rows"]["labels"]>;
}

/** Creates the request handler. */
export function createRequestHandler(
  context: HandlerContext,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { controller, metrics, feedback, logger } = context;
  // Labelled children looked up once per model and role, not per request.
  const children = new WeakMap<ServedModel, Map<ServingRole, Children>>();
  function childrenOf(served: ServedModel, role: ServingRole): Children {
    let byRole = children.get(served);
    if (byRole === undefined) children.set(served, (byRole = new Map<ServingRole, Children>()));
    let found = byRole.get(role);
    if (found === undefined) {
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

  function recordPredictions(
    served: ServedModel,
    role: ServingRole,
    result: OnnxClassification | OnnxRegression,
    nRows: number,
  ): void {
    const c = childrenOf(served, role);
    c.rows.inc(nRows);
    observePredictions(
      metrics,
      { model: served.slot.name, version: served.slot.version, role },
      result,
      nRows,
    );
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

  async function infer(
    req: IncomingMessage,
    res: ServerResponse,
    protocol: Protocol,
    name: string,
    requestId: string,
  ): Promise<void> {
    const started = performance.now();
    const body = readInferBody(await readBody(req, context.maxBodyBytes), req, protocol);
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
    const parse = (served: ServedModel): ParsedInput | ParsedV2Input => {
      if (protocol === "v1") return parseV1Instances(body.json, served.slot.card.features);
      const parsed = parseV2Inputs(body.json, served.slot.card.features, body.binary);
      checkRequestedOutputs(served.slot.card.task, parsed.outputs);
      return parsed;
    };
    let served = route.served;
    let role = route.role;
    let input: ParsedInput | ParsedV2Input;
    try {
      input = parse(served);
    } catch (error) {
      // The candidate may take other features; if the stable model accepts the request, it answers.
      if (!(error instanceof RequestError) || route.fallback === null) throw error;
      input = parse(route.fallback);
      served = route.fallback;
      role = role === "candidate" ? "stable" : "candidate";
    }
    let release = served.slot.hold();
    let result: OnnxClassification | OnnxRegression;
    try {
      result = await served.slot.predict(input.columns);
    } catch (error) {
      release();
      recordInputs(served.stats, input.columns, input.nRows);
      const latency = performance.now() - started;
      controller.finish(route, served, role, latency, true);
      childrenOf(served, role).errors.inc();
      childrenOf(served, role).requests.inc();
      logger.warn({ err: error, version: served.slot.version, role, requestId }, "model failed a request");
      const fallback = route.fallback;
      if (fallback === null) throw error;
      // The caller gets the other model's answer; the failure still counts against the first.
      served = fallback;
      role = role === "candidate" ? "stable" : "candidate";
      input = parse(served);
      release = served.slot.hold();
      try {
        result = await served.slot.predict(input.columns);
      } catch (second) {
        release();
        childrenOf(served, role).errors.inc();
        throw second;
      }
    }
    release();
    respond(res, served, result, input, requestId);
    // Counting the answer (metrics, drift windows, the rollout analysis, the
    // feedback memory) follows in the same turn of the event loop, so no
    // other request can see the gap, but the caller does not wait for it.
    const seconds = (performance.now() - started) / 1000;
    const c = childrenOf(served, role);
    c.requests.inc();
    c.duration.observe(seconds);
    recordPredictions(served, role, result, input.nRows);
    recordInputs(served.stats, input.columns, input.nRows);
    controller.finish(route, served, role, seconds * 1000, false);
    feedback.remember(requestId, {
      digest: served.slot.digest,
      labels: result.task === "classification" ? result.labels : Array.from(result.values),
    });
    shadow(route, parse);
  }

  function respond(
    res: ServerResponse,
    served: ServedModel,
    result: OnnxClassification | OnnxRegression,
    input: ParsedInput | ParsedV2Input,
    requestId: string,
  ): void {
    if (!("outputs" in input)) {
      send(res, 200, formatV1(result, input.nRows), requestId, served.slot.version);
      return;
    }
    const head = {
      model_name: served.slot.name,
      model_version: served.slot.version,
      id: input.id ?? requestId,
    };
    const response = formatV2(result, input.nRows, head, input.outputs, input.allBinary);
    if (response.binary.length === 0) send(res, 200, response.json, requestId, served.slot.version);
    else sendBinary(res, response.json, response.binary, requestId, served.slot.version);
  }

  let shadowsInFlight = 0;
  /**
   * A blue-green candidate takes no traffic until it passes its checks, so
   * it is judged on copies: after the caller has its answer, the same
   * request runs on the candidate in the background. At most
   * {@link MAX_SHADOWS} copies run at once, so a burst cannot pile up work.
   */
  function shadow(route: Route, parse: (served: ServedModel) => ParsedInput): void {
    const d = route.deployment;
    const candidate = d.candidate;
    if (d.rollout.plan.type !== "blue-green" || d.rollout.phase !== "progressing" || candidate === null)
      return;
    if (route.served === candidate || shadowsInFlight >= MAX_SHADOWS) return;
    let input: ParsedInput;
    try {
      input = parse(candidate);
    } catch {
      return;
    }
    shadowsInFlight++;
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
        shadowsInFlight--;
      });
  }

  async function takeFeedback(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const body = parseJson(await readBody(req, context.maxBodyBytes));
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
    const record = feedback.take(id);
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
    const served = findServed(record.digest);
    let correct = 0;
    given.forEach((l, i) => (correct += sameLabel(l, record.labels[i]!) ? 1 : 0));
    if (served !== undefined) {
      served.stats.correct += correct;
      served.stats.labelled += given.length;
      const labelsOf = { model: served.slot.name, version: served.slot.version };
      metrics.feedback.inc({ ...labelsOf, outcome: "correct" }, correct);
      metrics.feedback.inc({ ...labelsOf, outcome: "wrong" }, given.length - correct);
      metrics.accuracy.set(labelsOf, served.stats.correct / served.stats.labelled);
    }
    send(res, 200, { request_id: id, rows: given.length, correct }, requestId);
  }

  function findServed(digest: string): ServedModel | undefined {
    const d = controller.current();
    if (d === null) return undefined;
    return [d.stable, d.candidate].find((s): s is ServedModel => s !== null && s.slot.digest === digest);
  }

  function rolloutView(): unknown {
    const d = controller.current();
    if (d === null) return { ready: false };
    const r = d.rollout;
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
      stable: d.stable && {
        ref: d.stable.slot.ref,
        digest: d.stable.slot.digest,
        version: d.stable.slot.version,
      },
      candidate: d.candidate && {
        ref: d.candidate.slot.ref,
        digest: d.candidate.slot.digest,
        version: d.candidate.slot.version,
      },
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

  function metadata(name: string): unknown {
    const d = controller.current();
    const served = d?.stable ?? d?.candidate;
    if (d === null || served === null || served === undefined || name !== d.env.model) {
      throw new RequestError(404, `model ${JSON.stringify(name)} is not served here`);
    }
    const card = served.slot.card;
    return {
      name: d.env.model,
      versions: [d.stable?.slot.version, d.candidate?.slot.version].filter((v) => v !== undefined),
      platform: "onnxruntime_onnx",
      inputs: card.features.map((f) => ({
        name: f.name,
        datatype: f.type === "numeric" ? "FP32" : "BYTES",
        shape: [-1, 1],
      })),
      outputs:
        card.task === "classification"
          ? [
              {
                name: "label",
                datatype: typeof card.classes?.[0] === "string" ? "BYTES" : "INT64",
                shape: [-1],
              },
              { name: "probabilities", datatype: "FP32", shape: [-1, card.classes?.length ?? -1] },
            ]
          : [{ name: "prediction", datatype: "FP32", shape: [-1] }],
      parameters: {
        task: card.task,
        target: card.target,
        classes: card.classes ?? null,
        digest: served.slot.digest,
        metrics: card.metrics,
      },
    };
  }

  async function admin(
    req: IncomingMessage,
    res: ServerResponse,
    action: "promote" | "abort",
    requestId: string,
  ): Promise<void> {
    await readBody(req, 64 * 1024);
    const auth = req.headers.authorization ?? "";
    if (context.adminToken === undefined)
      throw new RequestError(404, "rollout commands are off; start the server with --admin-token-env");
    if (!/^bearer /i.test(auth) || !sameSecret(auth.slice(7).trim(), context.adminToken)) {
      throw new RequestError(401, "missing or wrong bearer token");
    }
    controller.observe(
      action === "promote"
        ? { type: "promote", reason: "promoted by request" }
        : { type: "abort", reason: "aborted by request" },
    );
    send(res, 200, rolloutView(), requestId);
  }

  async function dispatch(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    const method = req.method ?? "GET";
    if (method === "POST") {
      let m = /^\/v1\/models\/([^/:]+):predict$/.exec(path);
      if (m !== null) return infer(req, res, "v1", decodeURIComponent(m[1]!), requestId);
      m = /^\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?\/infer$/.exec(path);
      if (m !== null) return infer(req, res, "v2", decodeURIComponent(m[1]!), requestId);
      if (path === "/v1/feedback") return takeFeedback(req, res, requestId);
      if (path === "/v1/rollout/promote") return admin(req, res, "promote", requestId);
      if (path === "/v1/rollout/abort") return admin(req, res, "abort", requestId);
    }
    if (method === "GET") {
      if (path === "/v2/health/live") return send(res, 200, { live: true }, requestId);
      if (path === "/v2/health/ready") {
        const ready = context.isReady();
        return send(res, ready ? 200 : 503, { ready }, requestId);
      }
      if (path === "/metrics") {
        const text = await metrics.registry.metrics();
        res.writeHead(200, { "content-type": metrics.registry.contentType, "x-request-id": requestId });
        res.end(text);
        return;
      }
      if (path === "/v1/rollout") return send(res, 200, rolloutView(), requestId);
      if (path === "/v2")
        return send(
          res,
          200,
          { name: "meta-controller", version: TOOL_VERSION, extensions: ["binary_tensor_data"] },
          requestId,
        );
      let m = /^\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?$/.exec(path);
      if (m !== null) return send(res, 200, metadata(decodeURIComponent(m[1]!)), requestId);
      m = /^\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?\/ready$/.exec(path);
      if (m !== null) {
        metadata(decodeURIComponent(m[1]!));
        return send(res, 200, { name: m[1], ready: context.isReady() }, requestId);
      }
      m = /^\/v1\/models\/([^/:]+)$/.exec(path);
      if (m !== null) {
        metadata(decodeURIComponent(m[1]!));
        return send(res, 200, { name: m[1], ready: context.isReady() }, requestId);
      }
    }
    throw new RequestError(404, `no route ${method} ${path.slice(0, 200)}`);
  }

  return (req, res) => {
    const given = req.headers["x-request-id"];
    const requestId = typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    dispatch(req, res, requestId).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof RequestError) {
        const model = controller.current()?.env.model ?? "";
        metrics.invalid.inc({ model, protocol: (req.url ?? "").startsWith("/v2") ? "v2" : "v1" });
        // The rest of an oversized body is read and dropped, so the caller sees the 413, not a reset.
        if (error.status === 413) req.resume();
        send(res, error.status, { error: error.message }, requestId);
        return;
      }
      if (error instanceof URIError) {
        send(res, 400, { error: `bad percent-encoding in the path: ${error.message}` }, requestId);
        return;
      }
      logger.error({ err: error, requestId }, "request failed");
      send(res, 500, { error: error instanceof Error ? error.message : String(error) }, requestId);
    });
  };
}
