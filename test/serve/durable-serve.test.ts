/**
 * Nothing acknowledged is lost, with real processes and real `kill -9`: an
 * aborted canary stays aborted after a restart; a restart with a broken
 * stable serves the cached last-good model and says it is degraded; an
 * event the bot never acknowledged is delivered after a restart, once;
 * feedback needs its token; plain-http events go to loopback only.
 */
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openModelRegistry, type PushResult } from "../../src/registry/model-registry.js";
import { findModelLayers } from "../../src/registry/manifest.js";
import { parseModelReference } from "../../src/registry/reference.js";
import { runCli, startServerProcess, waitFor, type ServerProcess } from "../helpers/processes.js";
import { startFlakyReceiver } from "./flaky-receiver.js";
import { environmentYaml, pushTestModel } from "./model-fixture.js";

let dir: string;
let registryRoot: string;
let v1: PushResult;
let v2: PushResult;
let v3: PushResult;
const ADMIN = "admin-token-1";
const CANARY = "{ type: canary, steps: [50, 100], interval: 1h, max_failed_checks: 2 }";

const row = (i: number) => ({ x0: Math.sin(i), x1: Math.cos(i), x2: 0.1, x3: 0.2, plan: "pro" });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mc-durable-"));
  registryRoot = join(dir, "registry");
  v1 = await pushTestModel(registryRoot, "churn", { seed: 7 });
  v2 = await pushTestModel(registryRoot, "churn", { seed: 8 });
  v3 = await pushTestModel(registryRoot, "churn", { seed: 9 });
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: "POST", body: JSON.stringify(body), headers });
  return {
    status: response.status,
    version: response.headers.get("x-model-version"),
    json: (await response.json()) as Record<string, unknown>,
  };
}

/** The versions that answered `n` predictions, one request at a time. */
async function versions(server: ServerProcess, n: number, from = 0): Promise<string[]> {
  const seen: string[] = [];
  for (let i = from; i < from + n; i++) {
    const answer = await post(`${server.url}/v1/models/churn:predict`, { instances: [row(i)] });
    expect(answer.status).toBe(200);
    seen.push(answer.version ?? "none");
  }
  return seen;
}

async function rollout(server: ServerProcess): Promise<Record<string, unknown>> {
  return (await (await fetch(`${server.url}/v1/rollout`)).json()) as Record<string, unknown>;
}

/** SIGKILL: no drain, no flush, no goodbye. */
async function kill9(server: ServerProcess): Promise<void> {
  server.child.kill("SIGKILL");
  await server.stop();
}

function yaml(stable: PushResult, candidate?: PushResult): string {
  return environmentYaml({
    model: "churn",
    registry: registryRoot,
    stable: stable.pinnedRef,
    candidate: candidate?.pinnedRef ?? null,
    strategy: CANARY,
    checks: "{ min_requests: 1000 }",
  });
}

function serve(file: string, state: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) {
  return startServerProcess(["--env", file, "--root", dir, "--admin-token-env", "ADMIN_TOKEN", ...extra], {
    SERVE_STATE_DIR: state,
    ADMIN_TOKEN: ADMIN,
    ALERT_TOKEN: "alert-token",
    ...env,
  });
}

describe("rollout state across kill -9", () => {
  it("keeps an aborted candidate at 0 % after a restart, until the file names another candidate", async () => {
    // Arrange: a canary at 50 %.
    const file = join(dir, "abort.yaml");
    const state = join(dir, "state-abort");
    await writeFile(file, yaml(v1, v2));
    let server = await serve(file, state);
    const before = await versions(server, 40);
    const abort = await post(`${server.url}/v1/rollout/abort`, {}, { authorization: `Bearer ${ADMIN}` });

    // Act: kill -9, restart, send traffic; then the file names v3.
    await kill9(server);
    server = await serve(file, state);
    try {
      const after = await versions(server, 60, 100);
      const view = await rollout(server);
      await writeFile(file, yaml(v1, v3));
      await waitFor(
        async () => ((await rollout(server)).candidate as { version?: string } | null)?.version === "v3",
        { what: "the new candidate to load" },
      );
      const next = await versions(server, 40, 200);

      // Assert
      expect(before).toContain("v2");
      expect(abort.status).toBe(200);
      expect(after.filter((v) => v === "v2")).toEqual([]);
      expect(view).toMatchObject({ phase: "aborted", weights: { stable: 1, candidate: 0 } });
      expect(next).toContain("v3");
    } finally {
      await server.stop();
    }
  }, 120_000);
});

/** Overwrites the model.onnx blob of `model` in the local registry: its pull now fails verification. */
async function corruptWeights(model: PushResult): Promise<void> {
  const pulled = await openModelRegistry({ kind: "local", root: registryRoot }).pull(
    parseModelReference(model.pinnedRef),
  );
  const hex = findModelLayers(pulled.manifest, model.pinnedRef).weights.digest.slice("sha256:".length);
  const walk = (folder: string): string[] =>
    readdirSync(folder).flatMap((name) => {
      const path = join(folder, name);
      return statSync(path).isDirectory() ? walk(path) : name === hex ? [path] : [];
    });
  const blobs = walk(registryRoot);
  expect(blobs.length).toBeGreaterThan(0);
  for (const blob of blobs) writeFileSync(blob, "not a model");
}

describe("a restart with a broken stable", () => {
  it("serves the cached last-good model, reports degraded, sends an event, and does not exit", async () => {
    // Arrange: v1 served once (and cached), then the file names a stable whose weights are corrupt.
    const broken = await pushTestModel(registryRoot, "churn", { seed: 21 });
    const file = join(dir, "degraded.yaml");
    const state = join(dir, "state-degraded");
    const receiver = await startFlakyReceiver();
    await writeFile(file, yaml(v1));
    const first = await serve(file, state, ["--events-url", receiver.url]);
    await versions(first, 3);
    await kill9(first);
    await corruptWeights(broken);
    await writeFile(file, yaml(broken));

    // Act
    const server = await serve(file, state, ["--events-url", receiver.url]);
    try {
      const ready = await fetch(`${server.url}/v2/health/ready`);
      const health = (await ready.json()) as Record<string, unknown>;
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      const answered = await versions(server, 10);
      const event = await waitFor(
        () =>
          receiver.posts.find(
            (p) =>
              p.body.type === "model.load_failed" &&
              (p.body.evidence as { id: string }[]).some((e) => e.id === "degraded"),
          ),
        { what: "the degraded event" },
      );
      // The file is fixed: the next apply ends the degraded condition.
      await writeFile(file, yaml(v2));
      const recovered = await waitFor(
        async () => {
          const body = (await (await fetch(`${server.url}/v2/health/ready`)).json()) as Record<
            string,
            unknown
          >;
          return body.degraded === undefined ? body : undefined;
        },
        { what: "the server to leave the degraded condition" },
      );
      const metricsAfter = await (await fetch(`${server.url}/metrics`)).text();

      // Assert
      expect(ready.status).toBe(200);
      expect(health).toMatchObject({ ready: true, degraded: true });
      expect(String(health.reason)).toContain(broken.digest);
      expect(metrics).toMatch(/meta_controller_degraded\{environment="staging"\} 1/);
      expect(new Set(answered)).toEqual(new Set(["v1"]));
      expect(event.body.digests).toMatchObject({ at_fault: broken.digest, serving: v1.digest });
      expect(server.child.exitCode).toBeNull();
      expect(recovered).toEqual({ ready: true });
      expect(metricsAfter).toMatch(/meta_controller_degraded\{environment="staging"\} 0/);
    } finally {
      await server.stop();
      await receiver.close();
    }
  }, 120_000);

  it("stays up, not ready and degraded when nothing was ever cached", async () => {
    // Arrange: a stable whose digest is in no registry, and an empty state folder.
    const file = join(dir, "nothing.yaml");
    await writeFile(
      file,
      environmentYaml({ model: "churn", registry: registryRoot, stable: `churn@sha256:${"ab".repeat(32)}` }),
    );

    // Act
    const server = await serve(file, join(dir, "state-nothing"));
    try {
      const ready = await fetch(`${server.url}/v2/health/ready`);
      const health = (await ready.json()) as Record<string, unknown>;
      const live = await fetch(`${server.url}/v2/health/live`);

      // Assert
      expect([ready.status, live.status]).toEqual([503, 200]);
      expect(health).toMatchObject({ ready: false, degraded: true });
      expect(server.child.exitCode).toBeNull();
    } finally {
      await server.stop();
    }
  }, 60_000);
});

describe("the event outbox", () => {
  it.each(["answers 500", "is closed"] as const)(
    "delivers an event the bot never acknowledged after kill -9 and restart, exactly once (bot %s)",
    async (mode) => {
      // Arrange: a canary; the bot is down.
      const receiver = await startFlakyReceiver();
      const file = join(dir, `outbox-${mode.replace(/ /g, "-")}.yaml`);
      const state = join(dir, `state-outbox-${mode.replace(/ /g, "-")}`);
      await writeFile(file, yaml(v1, v2));
      const args = ["--events-url", receiver.url];
      const first = await serve(file, state, args);
      if (mode === "answers 500") receiver.setUp(false);
      else await receiver.shut();

      // Act: abort (an event), kill -9 before the bot takes it, bring the bot back, restart.
      const abort = await post(`${first.url}/v1/rollout/abort`, {}, { authorization: `Bearer ${ADMIN}` });
      if (mode === "answers 500") await waitFor(() => receiver.posts.length > 0, { what: "a refused POST" });
      await kill9(first);
      if (mode === "answers 500") receiver.setUp(true);
      else await receiver.reopen();
      const second = await serve(file, state, args);
      const id = await waitFor(
        () => receiver.posts.find((p) => p.status === 200 && p.body.type === "rollout.aborted")?.body.id,
        { what: "the aborted event to arrive" },
      );
      await second.stop();
      // A third start re-sends whatever is still in the outbox; its drain waits for the sends.
      const third = await serve(file, state, args);
      await third.stop();

      // Assert
      expect(abort.status).toBe(200);
      expect(receiver.accepted().filter((accepted) => accepted === id)).toEqual([id]);
      expect(receiver.posts.find((p) => p.body.id === id)?.authorization).toBe("Bearer alert-token");
      await receiver.close();
    },
    120_000,
  );
});

describe("POST /v1/feedback", () => {
  async function scoreOne(server: ServerProcess, id: string): Promise<number> {
    const response = await fetch(`${server.url}/v1/models/churn:predict`, {
      method: "POST",
      body: JSON.stringify({ instances: [row(1)] }),
      headers: { "x-request-id": id },
    });
    return ((await response.json()) as { predictions: number[] }).predictions[0]!;
  }

  it("is refused without the token and leaves live accuracy alone", async () => {
    // Arrange
    const file = join(dir, "feedback.yaml");
    await writeFile(file, yaml(v1));
    const server = await serve(file, join(dir, "state-feedback"), [], { FEEDBACK_TOKEN: "fb-token" });
    try {
      const label = await scoreOne(server, "req-1");
      const wrong = { request_id: "req-1", label: 1 - label };

      // Act
      const none = await post(`${server.url}/v1/feedback`, wrong);
      const bad = await post(`${server.url}/v1/feedback`, wrong, { authorization: "Bearer nope" });
      const metricsBefore = await (await fetch(`${server.url}/metrics`)).text();
      const good = await post(`${server.url}/v1/feedback`, wrong, { authorization: "Bearer fb-token" });
      const metricsAfter = await (await fetch(`${server.url}/metrics`)).text();

      // Assert
      expect([none.status, bad.status, good.status]).toEqual([401, 401, 200]);
      expect(metricsBefore).not.toContain("meta_controller_accuracy_ratio{");
      expect(metricsAfter).toContain('meta_controller_accuracy_ratio{model="churn",version="v1"} 0');
    } finally {
      await server.stop();
    }
  }, 60_000);

  it("is off, with a 403 naming FEEDBACK_TOKEN, when no token is configured", async () => {
    // Arrange
    const file = join(dir, "feedback-off.yaml");
    await writeFile(file, yaml(v1));
    const server = await serve(file, join(dir, "state-feedback-off"), [], { FEEDBACK_TOKEN: "" });
    try {
      const label = await scoreOne(server, "req-2");

      // Act
      const answer = await post(`${server.url}/v1/feedback`, { request_id: "req-2", label: 1 - label });
      const metrics = await (await fetch(`${server.url}/metrics`)).text();

      // Assert
      expect(answer.status).toBe(403);
      expect(String(answer.json.error)).toContain("FEEDBACK_TOKEN");
      expect(metrics).not.toContain("meta_controller_accuracy_ratio{");
      expect(server.output()).toContain("POST /v1/feedback is off");
    } finally {
      await server.stop();
    }
  }, 60_000);
});

describe("--events-url", () => {
  it("refuses plain http to a host that is not loopback, before connecting anywhere", async () => {
    // Arrange
    const file = join(dir, "events.yaml");
    await writeFile(file, yaml(v1));

    // Act
    const run = await runCli(
      ["serve", "--env", file, "--root", dir, "--port", "0", "--events-url", "http://example.com/api/alerts"],
      { env: { SERVE_STATE_DIR: join(dir, "state-events") }, timeoutMs: 30_000 },
    );

    // Assert
    expect(run.code).not.toBe(0);
    expect(run.code).not.toBeNull();
    expect(run.stderr).toContain("--events-url http://example.com/api/alerts");
    expect(run.stderr).toContain("https");
    expect(run.stdout).not.toContain("listening on");
  }, 60_000);
});
