/** JSON in and out of the routes. */
import type { ServerResponse } from "node:http";
import { INFERENCE_HEADER_LENGTH } from "../binary-tensors.js";
import { RequestError } from "../request-error.js";

/** Sends `body` as JSON, with the request id and (for inference) the version that answered. */
export function sendJson(
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
export function sendBinary(
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

/** Parses a request body as JSON; an empty or malformed body is the caller's 400. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) throw new RequestError(400, "the body is empty; send a JSON object");
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (error) {
    // A RangeError here is nesting deeper than the parser's stack: still the caller's JSON.
    const reason = error instanceof Error ? error.message : String(error);
    throw new RequestError(400, `the body is not valid JSON: ${reason.slice(0, 200)}`);
  }
}
