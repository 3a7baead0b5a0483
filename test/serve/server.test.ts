/**
 * The server as a real process on loopback: both protocols, request
 * validation, a canary that fails its drift check and aborts within one
 * request, and SIGTERM draining an in-flight request (the other flows run
 * in-process, in-process.test.ts).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOnnxSession, predictOnnx, type OnnxClassification } from "../../src/onnx/index.js";
import { openModelRegistry, type PushResult } from "../../src/registry/model-registry.js";
import { parseModelReference } from "../../src/registry/reference.js";
import { environmentYaml, pushTestModel } from "./model-fixture.js";
import { startEventReceiver } from "../helpers/event-receiver.js";
import { startServerProcess, waitFor, type ServerProcess } from "../helpers/processes.js";

let dir: string;
let registryRoot: string;
let v1: PushResult;
let drifted: PushResult;
const TOKEN = "test-token-123";

const row = (i: number) => ({
  x0: Math.sin(i),
  x1: Math.cos(i),
  x2: (i % 7) / 7 - 0.5,
  x3: 0.1,
  plan: i % 2 ? "pro" : "basic",
});

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers,
  });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

async function rollout(server: ServerProcess): Promise<Record<string, unknown>> {
  return (await (await fetch(`${server.url}/v1/rollout`)).json()) as Record<string, unknown>;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mc-serve-"));
  registryRoot = join(dir, "registry");
  v1 = await pushTestModel(registryRoot, "churn", { seed: 7 });
  // Trained on data shifted by +3: live traffic looks drifted to it.
  drifted = await pushTestModel(registryRoot, "churn", { seed: 9, shift: 3 });
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function serve(name: string, yaml: string, extra: string[] = []): Promise<ServerProcess> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, yaml);
  return startServerProcess(["--env", file, "--root", dir, ...extra], { ALERT_TOKEN: TOKEN });
}

describe("serving one model", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await serve(
      "one",
      environmentYaml({ model: "churn", registry: registryRoot, stable: v1.pinnedRef }),
    );
  }, 60_000);
  afterAll(async () => {
    await server.stop();
  });

  it("answers KServe v1 and Open Inference v2 with the model's own predictions", async () => {
    // Arrange: the same rows scored by a session opened here on the pulled model.
    const rows = [row(1), row(2), row(3)];
    const pulled = await openModelRegistry({ kind: "local", root: registryRoot }).pull(
      parseModelReference(v1.pinnedRef),
    );
    const session = await createOnnxSession(pulled.onnx);
    const direct = (await predictOnnx(
      session,
      {
        x0: Float32Array.from(rows, (r) => r.x0),
        x1: Float32Array.from(rows, (r) => r.x1),
        x2: Float32Array.from(rows, (r) => r.x2),
        x3: Float32Array.from(rows, (r) => r.x3),
        plan: rows.map((r) => r.plan),
      },
      "classification",
    )) as OnnxClassification;
    await session.release();
    // Act
    const one = await post(
      `${server.url}/v1/models/churn:predict`,
      { instances: rows },
      { "x-request-id": "abc-1" },
    );
    const two = await post(`${server.url}/v2/models/churn/infer`, {
      id: "req-2",
      inputs: ["x0", "x1", "x2", "x3"]
        .map((name) => ({ name, shape: [3, 1], datatype: "FP32", data: rows.map((r) => r[name as "x0"]) }))
        .concat([{ name: "plan", shape: [3, 1], datatype: "BYTES", data: rows.map((r) => r.plan) as never }]),
    });
    // Assert
    expect(one.status).toBe(200);
    expect(one.headers.get("x-request-id")).toBe("abc-1");
    expect(one.json.predictions).toEqual(direct.labels);
    expect((one.json.probabilities as number[][]).flat()).toEqual(Array.from(direct.probabilities));
    expect(two.status).toBe(200);
    expect(two.json).toMatchObject({ model_name: "churn", model_version: "v1", id: "req-2" });
    const outputs = two.json.outputs as { name: string; data: unknown[]; shape: number[] }[];
    expect(outputs[0]).toMatchObject({ name: "label", shape: [3], data: direct.labels });
    expect(outputs[1]!.data).toEqual(Array.from(direct.probabilities));
    expect(two.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ["a missing field", { instances: [{ x0: 1, x1: 1, x2: 1, plan: "pro" }] }, 400, 'missing field "x3"'],
    [
      "a mistyped number",
      { instances: [{ ...row(1), x1: "high" }] },
      400,
      "instances[0].x1: expected a number",
    ],
    [
      "a mistyped category",
      { instances: [{ ...row(1), plan: { a: 1 } }] },
      400,
      "instances[0].plan: expected a string",
    ],
    ["no instances", { rows: [] }, 400, 'field "instances" must be an array'],
    ["broken JSON", "{", 400, "not valid JSON"],
  ])("refuses %s with a message naming it", async (_name, body, status, message) => {
    const response = await post(`${server.url}/v1/models/churn:predict`, body);
    expect(response.status).toBe(status);
    expect(response.json.error).toContain(message);
  });

  it("refuses a body over the limit with 413, an unknown model with 404", async () => {
    const big = await post(
      `${server.url}/v1/models/churn:predict`,
      `{"instances": [${"0,".repeat(3_000_000)}0]}`,
    );
    const other = await post(`${server.url}/v1/models/other:predict`, { instances: [row(1)] });
    expect(big.status).toBe(413);
    expect(other.status).toBe(404);
  });

  it("reports health, metadata and metrics", async () => {
    const ready = await fetch(`${server.url}/v2/health/ready`);
    const live = await fetch(`${server.url}/v2/health/live`);
    const meta = (await (await fetch(`${server.url}/v2/models/churn`)).json()) as Record<string, unknown>;
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect([ready.status, live.status]).toEqual([200, 200]);
    expect(meta).toMatchObject({ name: "churn", versions: ["v1"] });
    expect((meta.inputs as { name: string }[]).map((i) => i.name)).toEqual(["x0", "x1", "x2", "x3", "plan"]);
    expect(metrics).toMatch(
      /meta_controller_requests_total\{model="churn",version="v1",role="stable"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /meta_controller_feature_values_total\{model="churn",version="v1",feature="x0",upper_bound="\+Inf"\} [1-9]/,
    );
    expect(metrics).toContain(
      'meta_controller_traffic_weight_ratio{model="churn",version="v1",role="stable"} 1',
    );
  });
});

describe("canary", () => {
  it("aborts a drifting candidate: every request after the failing analysis goes to stable, and the event goes out", async () => {
    // Arrange
    const receiver = await startEventReceiver();
    const server = await serve(
      "drift",
      environmentYaml({
        model: "churn",
        registry: registryRoot,
        stable: v1.pinnedRef,
        candidate: drifted.pinnedRef,
        strategy: "{ type: canary, steps: [50, 100], interval: 1m, max_failed_checks: 2 }",
        checks: "{ min_requests: 25, drift: { alpha: 0.01, window: 50, min_samples: 50 } }",
      }),
      ["--events-url", receiver.url],
    );
    try {
      // Act: one request at a time until the rollout aborts.
      let abortedAt = -1;
      for (let i = 0; i < 600 && abortedAt < 0; i++) {
        const response = await post(`${server.url}/v2/models/churn/infer`, {
          inputs: ["x0", "x1", "x2", "x3"]
            .map((name, j) => ({
              name,
              shape: [1],
              datatype: "FP32",
              data: [Math.sin(i * 1.7 + j * 2.1) * 1.2],
            }))
            .concat([{ name: "plan", shape: [1], datatype: "BYTES", data: ["pro"] as never }]),
        });
        expect(response.status).toBe(200);
        if ((await rollout(server)).phase === "aborted") abortedAt = i;
      }
      const after = await Promise.all(
        Array.from({ length: 40 }, async (_, i) =>
          (await post(`${server.url}/v1/models/churn:predict`, { instances: [row(i)] })).headers.get(
            "x-model-version",
          ),
        ),
      );
      const state = await rollout(server);
      const event = await waitFor(() => receiver.events.find((e) => e.body.type === "rollout.aborted"), {
        what: "rollout.aborted",
      });
      // Assert
      expect(abortedAt).toBeGreaterThan(0);
      expect(new Set(after)).toEqual(new Set(["v1"]));
      expect(state).toMatchObject({
        phase: "aborted",
        weights: { stable: 1, candidate: 0 },
        failed_checks: 2,
      });
      expect(event.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(event.body).toMatchObject({
        environment: "staging",
        model: "churn",
        digests: { stable: v1.digest, candidate: drifted.digest },
      });
      expect((event.body.evidence as { id: string }[]).some((e) => e.id.startsWith("drift:"))).toBe(true);
    } finally {
      await server.stop();
      await receiver.close();
    }
  }, 60_000);
});

describe("hot reload and shutdown", () => {
  it("drains an in-flight request on SIGTERM, then exits 0", async () => {
    // Arrange: a request whose body is still arriving when the signal comes.
    const server = await serve(
      "drain",
      environmentYaml({ model: "churn", registry: registryRoot, stable: v1.pinnedRef }),
    );
    const { port } = new URL(server.url);
    const body = JSON.stringify({ instances: [row(1), row(2)] });
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/v1/models/churn:predict",
          headers: { "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          let text = "";
          res.on("data", (c: Buffer) => (text += c.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on("error", reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        server.child.kill("SIGTERM");
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 300);
    });
    // Act
    const answered = await response;
    const code = await new Promise<number | null>((resolve) => {
      if (server.child.exitCode !== null) resolve(server.child.exitCode);
      else server.child.on("exit", (c) => resolve(c));
    });
    // Assert
    expect(answered.status).toBe(200);
    expect(JSON.parse(answered.text)).toHaveProperty("predictions");
    expect(code).toBe(0);
  }, 60_000);
});
