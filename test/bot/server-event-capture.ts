/**
 * Real server events for the bot's labelled set: a model server runs in
 * this process on real models (a local registry in a temp folder) and is
 * made to fail the way production servers do — a candidate that cannot be
 * loaded, a stable that cannot be loaded, a canary its checks abort, a
 * canary that completes, inputs that drift. What it POSTs is recorded as
 * is; the labelled set only rebinds environment, ids and digests.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSilentLogger } from "../../src/common/logger.js";
import { ServerEvent } from "../../src/deploy/events.js";
import type { PushResult } from "../../src/registry/model-registry.js";
import { startModelServer, type RunningServer } from "../../src/serve/start-server.js";
import { startEventReceiver } from "../helpers/event-receiver.js";
import { waitFor } from "../helpers/processes.js";
import { environmentYaml, pushTestModel } from "../serve/model-fixture.js";

/** One recorded event of each kind the server emits, and the digests they name. */
export interface CapturedServerEvents {
  /** Digests of the captured run: `stable` serves, `candidate` rolls out, `missing` is in no registry. */
  readonly digests: { readonly stable: string; readonly candidate: string; readonly missing: string };
  readonly candidateLoadFailed: ServerEvent;
  readonly stableLoadFailed: ServerEvent;
  readonly rolloutAborted: ServerEvent;
  readonly rolloutCompleted: ServerEvent;
  readonly driftDetected: ServerEvent;
}

const MISSING = `sha256:${"0".repeat(64)}`;

const row = (i: number, shift = 0) => ({
  x0: Math.sin(i) + shift,
  x1: Math.cos(i) + shift,
  x2: shift,
  x3: 1 + shift,
  plan: "pro",
});

async function predict(server: RunningServer, rows: readonly object[]): Promise<void> {
  await Promise.all(
    rows.map(async (instance, i) => {
      const response = await fetch(`${server.url}/v1/models/churn:predict`, {
        method: "POST",
        body: JSON.stringify({ instances: [instance] }),
        headers: { "x-user": `u${i}` },
      });
      await response.arrayBuffer();
    }),
  );
}

interface Capture {
  readonly dir: string;
  readonly registry: string;
  readonly v1: PushResult;
  readonly v2: PushResult;
  readonly receiver: Awaited<ReturnType<typeof startEventReceiver>>;
}

async function serve(capture: Capture, name: string, yaml: string): Promise<RunningServer> {
  const file = join(capture.dir, `${name}.yaml`);
  await writeFile(file, yaml);
  return startModelServer({
    envFile: file,
    root: capture.dir,
    port: 0,
    host: "127.0.0.1",
    logger: createSilentLogger(),
    eventsUrl: capture.receiver.url,
    eventsToken: "capture",
    watchIntervalMs: 100,
  });
}

async function nextEvent(capture: Capture, type: string, after: number): Promise<ServerEvent> {
  const found = await waitFor(() => capture.receiver.events.slice(after).find((e) => e.body.type === type), {
    what: type,
    timeout: 30_000,
  });
  return ServerEvent.parse(found.body);
}

/** A running stable, then a candidate that is in no registry, then a stable that is in none. */
async function captureLoadFailures(capture: Capture): Promise<[ServerEvent, ServerEvent]> {
  const { registry, v1 } = capture;
  const server = await serve(
    capture,
    "loads",
    environmentYaml({ model: "churn", registry, stable: v1.pinnedRef }),
  );
  const file = join(capture.dir, "loads.yaml");
  try {
    let seen = capture.receiver.events.length;
    await writeFile(
      file,
      environmentYaml({ model: "churn", registry, stable: v1.pinnedRef, candidate: `churn@${MISSING}` }),
    );
    const candidate = await nextEvent(capture, "model.load_failed", seen);
    seen = capture.receiver.events.length;
    await writeFile(file, environmentYaml({ model: "churn", registry, stable: `churn@${MISSING}` }));
    const stable = await nextEvent(capture, "model.load_failed", seen);
    return [candidate, stable];
  } finally {
    await server.close();
  }
}

/**
 * Serves `yaml` (as `<name>.yaml`) and sends it `rows` again and again until
 * the server emits an event of `type`; returns that event.
 */
async function driveUntil(
  capture: Capture,
  name: string,
  yaml: string,
  rows: readonly object[],
  type: ServerEvent["type"],
): Promise<ServerEvent> {
  const seen = capture.receiver.events.length;
  const server = await serve(capture, name, yaml);
  try {
    await waitFor(
      async () => {
        await predict(server, rows);
        return capture.receiver.events.slice(seen).some((e) => e.body.type === type) ? true : undefined;
      },
      { what: type, timeout: 30_000 },
    );
    return await nextEvent(capture, type, seen);
  } finally {
    await server.close();
  }
}

const traffic = (n: number, shift = 0) => Array.from({ length: n }, (_, i) => row(i, shift));

/** A canary whose latency check cannot pass: the server aborts it. */
function captureAbort(capture: Capture): Promise<ServerEvent> {
  const yaml = environmentYaml({
    model: "churn",
    registry: capture.registry,
    stable: capture.v1.pinnedRef,
    candidate: capture.v2.pinnedRef,
    strategy: "{ type: canary, steps: [50, 100], interval: 300ms, max_failed_checks: 1 }",
    checks: "{ min_requests: 5, latency_p99: { max_ms: 0.000001 } }",
  });
  return driveUntil(capture, "abort", yaml, traffic(10), "rollout.aborted");
}

/** A healthy canary: the server completes it. */
function captureCompletion(capture: Capture): Promise<ServerEvent> {
  const yaml = environmentYaml({
    model: "churn",
    registry: capture.registry,
    stable: capture.v1.pinnedRef,
    candidate: capture.v2.pinnedRef,
    strategy: "{ type: canary, steps: [30, 100], interval: 300ms, max_failed_checks: 2 }",
    checks: "{ min_requests: 5, error_rate: { max: 0.01 } }",
  });
  return driveUntil(capture, "complete", yaml, traffic(10), "rollout.completed");
}

/** A stable whose traffic moved far from its training data. */
function captureDrift(capture: Capture): Promise<ServerEvent> {
  const yaml = environmentYaml({
    model: "churn",
    registry: capture.registry,
    stable: capture.v1.pinnedRef,
    checks: "{ min_requests: 5, drift: { alpha: 0.01, window: 200, min_samples: 50 } }",
  });
  return driveUntil(capture, "drift", yaml, traffic(20, 4), "drift.detected");
}

/** Runs the server through each failure and returns what it sent. */
export async function captureServerEvents(): Promise<CapturedServerEvents> {
  const dir = await mkdtemp(join(tmpdir(), "mc-event-capture-"));
  const registry = join(dir, "registry");
  const receiver = await startEventReceiver();
  try {
    const v1 = await pushTestModel(registry, "churn", { seed: 7 });
    const v2 = await pushTestModel(registry, "churn", { seed: 8 });
    const capture: Capture = { dir, registry, v1, v2, receiver };
    const [candidateLoadFailed, stableLoadFailed] = await captureLoadFailures(capture);
    return {
      digests: { stable: v1.digest, candidate: v2.digest, missing: MISSING },
      candidateLoadFailed,
      stableLoadFailed,
      rolloutAborted: await captureAbort(capture),
      rolloutCompleted: await captureCompletion(capture),
      driftDetected: await captureDrift(capture),
    };
  } finally {
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  }
}
