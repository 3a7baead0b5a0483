/**
 * Malformed requests never take the server down: fast-check throws random
 * JSON, wrong types, huge numbers and deep nesting at every route, plus a
 * 10 MB body; every answer is a 2xx or 4xx JSON document and the server
 * still scores a valid row afterwards.
 */
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunningServer } from "../../src/serve/start-server.js";
import { startStableServer, type StableServer } from "./stable-server.js";

let running: StableServer;
let server: RunningServer;
const valid = { x0: 0.1, x1: 0.2, x2: 0.3, x3: 0.4, plan: "basic" };

beforeAll(async () => {
  running = await startStableServer("mc-fuzz-");
  server = running.server;
}, 60_000);

afterAll(() => running.close());

const ROUTES = [
  "/v1/models/churn:predict",
  "/v2/models/churn/infer",
  "/v1/feedback",
  "/v1/rollout/abort",
  "/v2/models/churn",
  "/nope",
];

const cell = fc.oneof(
  fc.double(),
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER * 1e10, 0),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }),
);
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v)),
  fc
    .array(fc.dictionary(fc.constantFrom("x0", "x1", "x2", "x3", "plan", "other"), cell), { maxLength: 5 })
    .map((instances) => JSON.stringify({ instances })),
  fc
    .array(
      fc.record({
        name: fc.constantFrom("x0", "x1", "plan", "zz"),
        shape: fc.jsonValue(),
        datatype: fc.constantFrom("FP32", "BYTES", "INT64", 3),
        data: fc.array(cell, { maxLength: 4 }),
      }),
      { maxLength: 6 },
    )
    .map((inputs) => JSON.stringify({ inputs })),
  fc.record({ request_id: fc.oneof(fc.string(), fc.integer()), label: cell }).map((v) => JSON.stringify(v)),
  fc.nat({ max: 20_000 }).map((depth) => "[".repeat(depth) + "]".repeat(depth)),
  fc.string(),
);

async function call(path: string, text: string, method = "POST"): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${server.url}${path}`, { method, body: method === "POST" ? text : null });
  return { status: response.status, json: await response.json() };
}

it("answers random bodies on every route with a 2xx or 4xx JSON document", async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...ROUTES), body, async (path, text) => {
      const { status, json } = await call(path, text, path === "/v2/models/churn" ? "GET" : "POST");
      expect(status).toBeGreaterThanOrEqual(200);
      expect(status).toBeLessThan(500);
      if (status >= 400) expect(typeof (json as { error?: unknown }).error).toBe("string");
    }),
    { numRuns: 300, seed: 20261128 },
  );
  const after = await call("/v1/models/churn:predict", JSON.stringify({ instances: [valid] }));
  expect(after.status).toBe(200);
}, 60_000);

it.each([
  ["a 10 MB body", `{"instances": [${"1,".repeat(5 * 1024 * 1024)}1]}`, 413],
  ["nesting 200,000 deep", "[".repeat(200_000) + "]".repeat(200_000), 400],
  // Beyond float32 (what the model computes in): refused, not scored as infinities.
  ["huge numbers", JSON.stringify({ instances: [{ ...valid, x0: 1e308, x1: -1e308 }] }), 400],
  ["the largest float32", JSON.stringify({ instances: [{ ...valid, x0: 3.4e38, x1: -3.4e38 }] }), 200],
  ["a number where a category goes", JSON.stringify({ instances: [{ ...valid, plan: 3 }] }), 200],
  ["an array row of the wrong length", JSON.stringify({ instances: [[1, 2]] }), 400],
  ["100,001 rows", JSON.stringify({ instances: new Array(100_001).fill([0, 0, 0, 0, "a"]) }), 413],
])(
  "handles %s",
  async (_name, text, status) => {
    const { status: got } = await call("/v1/models/churn:predict", text);
    const after = await call("/v1/models/churn:predict", JSON.stringify({ instances: [valid] }));
    expect(got).toBe(status);
    expect(after.status).toBe(200);
  },
  60_000,
);
