/**
 * In-process server flows that need no separate process: a blue-green
 * candidate judged on shadow copies switches to 100% at once; feedback
 * labels join to predictions and give live accuracy per version.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSilentLogger } from "../../src/common/logger.js";
import type { PushResult } from "../../src/registry/model-registry.js";
import { startModelServer, type RunningServer } from "../../src/serve/start-server.js";
import { environmentYaml, pushTestModel } from "./model-fixture.js";
import { startEventReceiver } from "../helpers/event-receiver.js";
import { waitFor } from "../helpers/processes.js";

let dir: string;
let v1: PushResult;
let v2: PushResult;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mc-inproc-"));
  registryRoot = join(dir, "registry");
  v1 = await pushTestModel(join(dir, "registry"), "churn", { seed: 7 });
  v2 = await pushTestModel(join(dir, "registry"), "churn", { seed: 8 });
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Serves `yaml` (written as `<name>.yaml`) in this process, with any extra server options. */
async function start(
  name: string,
  yaml: string,
  extra: Partial<Parameters<typeof startModelServer>[0]> = {},
): Promise<RunningServer> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, yaml);
  return startModelServer({
    envFile: file,
    root: dir,
    port: 0,
    host: "127.0.0.1",
    logger: createSilentLogger(),
    ...extra,
  });
}

const row = (i: number) => ({ x0: Math.sin(i), x1: Math.cos(i), x2: 0, x3: 1, plan: "pro" });

let registryRoot: string;
function startWithEvents(name: string, yaml: string, eventsUrl: string): Promise<RunningServer> {
  return start(name, yaml, { eventsUrl, eventsToken: "tok", watchIntervalMs: 100 });
}

async function rollout(server: RunningServer): Promise<Record<string, unknown>> {
  return (await (await fetch(`${server.url}/v1/rollout`)).json()) as Record<string, unknown>;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: "POST", body: JSON.stringify(body), headers });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

async function predict(server: RunningServer, i: number, id?: string) {
  const response = await fetch(`${server.url}/v1/models/churn:predict`, {
    method: "POST",
    body: JSON.stringify({ instances: [row(i)] }),
    headers: id === undefined ? {} : { "x-request-id": id },
  });
  const json = (await response.json()) as { predictions: number[] };
  return { version: response.headers.get("x-model-version"), label: json.predictions[0]! };
}

describe("blue-green", () => {
  it("keeps the candidate at 0% while shadow copies pass its checks, then switches to 100% at once", async () => {
    // Arrange
    const server = await start(
      "bg",
      environmentYaml({
        model: "churn",
        registry: join(dir, "registry"),
        stable: v1.pinnedRef,
        candidate: v2.pinnedRef,
        strategy: "{ type: blue-green, interval: 300ms }",
        checks: "{ min_requests: 5, error_rate: { max: 0 } }",
      }),
    );
    try {
      // Act
      const before: string[] = [];
      await waitFor(
        async () => {
          before.push((await predict(server, before.length)).version!);
          return server.controller.current()?.rollout.phase === "completed" ? true : undefined;
        },
        { what: "the blue-green switch" },
      );
      const after = await Promise.all(Array.from({ length: 20 }, (_, i) => predict(server, i)));
      // Assert: all v1 until the switch, all v2 after it.
      expect(before.slice(0, -1).every((v) => v === "v1")).toBe(true);
      expect(new Set(after.map((a) => a.version))).toEqual(new Set(["v2"]));
      expect(server.controller.current()?.rollout.history.map((h) => h.weight)).toEqual([0, 100]);
    } finally {
      await server.close();
    }
  }, 60_000);
});

describe("rollouts and reloads with events", () => {
  it("completes a healthy canary and says so", async () => {
    // Arrange
    const receiver = await startEventReceiver();
    const server = await startWithEvents(
      "good",
      environmentYaml({
        model: "churn",
        registry: registryRoot,
        stable: v1.pinnedRef,
        candidate: v2.pinnedRef,
        strategy:
          "{ type: canary, steps: [30, 100], interval: 300ms, max_failed_checks: 2, sticky_key: x-user }",
        checks: "{ min_requests: 5, error_rate: { max: 0.01 }, latency_p99: { max_ms: 1000 } }",
      }),
      receiver.url,
    );
    try {
      // Act
      const versions: string[] = [];
      await waitFor(
        async () => {
          const batch = await Promise.all(
            Array.from({ length: 10 }, async (_, i) =>
              (
                await post(
                  `${server.url}/v1/models/churn:predict`,
                  { instances: [row(i)] },
                  { "x-user": `u${i}` },
                )
              ).headers.get("x-model-version")!,
            ),
          );
          versions.push(...batch);
          return (await rollout(server)).phase === "completed" ? true : undefined;
        },
        { what: "the canary to complete" },
      );
      const state = await rollout(server);
      const event = await waitFor(() => receiver.events.find((e) => e.body.type === "rollout.completed"), {
        what: "rollout.completed",
      });
      // Assert
      expect(state).toMatchObject({ weights: { stable: 0, candidate: 1 }, failed_checks: 0 });
      expect((state.history as { weight: number }[]).map((h) => h.weight)).toEqual([0.3, 1, 1]);
      expect(new Set(versions)).toEqual(new Set(["v1", "v2"]));
      expect(event.body.digests).toMatchObject({ stable: v1.digest, candidate: v2.digest });
    } finally {
      await server.close();
      await receiver.close();
    }
  }, 60_000);

  it("keeps serving the old model when a new one fails to load, and raises model.load_failed", async () => {
    // Arrange
    const receiver = await startEventReceiver();
    const file = join(dir, "reload.yaml");
    const server = await startWithEvents(
      "reload",
      environmentYaml({ model: "churn", registry: registryRoot, stable: v1.pinnedRef }),
      receiver.url,
    );
    try {
      // Act: a candidate digest the registry does not hold, then a real one.
      await writeFile(
        file,
        environmentYaml({
          model: "churn",
          registry: registryRoot,
          stable: v1.pinnedRef,
          candidate: `churn@sha256:${"0".repeat(64)}`,
        }),
      );
      const failed = await waitFor(() => receiver.events.find((e) => e.body.type === "model.load_failed"), {
        what: "model.load_failed",
      });
      const during = await post(`${server.url}/v1/models/churn:predict`, { instances: [row(1)] });
      await writeFile(
        file,
        environmentYaml({
          model: "churn",
          registry: registryRoot,
          stable: v1.pinnedRef,
          candidate: v2.pinnedRef,
          strategy: "{ type: simple }",
        }),
      );
      await waitFor(async () => ((await rollout(server)).candidate ? true : undefined), {
        what: "the candidate to load",
      });
      const afterSwap = await post(`${server.url}/v1/models/churn:predict`, { instances: [row(1)] });
      // Assert
      // The failing candidate is named as at fault; the stable that serves is not.
      expect(failed.body.digests).toEqual({
        stable: v1.digest,
        candidate: `sha256:${"0".repeat(64)}`,
        serving: v1.digest,
        at_fault: `sha256:${"0".repeat(64)}`,
      });
      expect([during.status, during.headers.get("x-model-version")]).toEqual([200, "v1"]);
      expect([afterSwap.status, afterSwap.headers.get("x-model-version")]).toEqual([200, "v2"]);
    } finally {
      await server.close();
      await receiver.close();
    }
  }, 60_000);
});

describe("feedback", () => {
  it("joins labels to predictions by request id and exports live accuracy", async () => {
    // Arrange: 8 predictions; labels agree on the first 6.
    const server = await start(
      "fb",
      environmentYaml({ model: "churn", registry: join(dir, "registry"), stable: v1.pinnedRef }),
      { feedbackToken: "fb-token" },
    );
    const authorization = "Bearer fb-token";
    try {
      const predicted = [];
      for (let i = 0; i < 8; i++) predicted.push(await predict(server, i, `req-${i}`));
      // Act
      const answers = [];
      for (let i = 0; i < 8; i++) {
        const label = i < 6 ? predicted[i]!.label : 1 - predicted[i]!.label;
        const response = await fetch(`${server.url}/v1/feedback`, {
          method: "POST",
          body: JSON.stringify({ request_id: `req-${i}`, label }),
          headers: { authorization },
        });
        answers.push(((await response.json()) as { correct: number }).correct);
      }
      const again = await fetch(`${server.url}/v1/feedback`, {
        method: "POST",
        body: JSON.stringify({ request_id: "req-0", label: 1 }),
        headers: { authorization },
      });
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      // Assert
      expect(answers).toEqual([1, 1, 1, 1, 1, 1, 0, 0]);
      expect(again.status).toBe(404);
      expect(metrics).toContain('meta_controller_accuracy_ratio{model="churn",version="v1"} 0.75');
      expect(metrics).toContain(
        'meta_controller_feedback_total{model="churn",version="v1",outcome="wrong"} 2',
      );
    } finally {
      await server.close();
    }
  }, 60_000);
});
