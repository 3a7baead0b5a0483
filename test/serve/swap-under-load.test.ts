/**
 * 10,000 requests while the environment flips stable → canary → abort →
 * new candidate, against the server as a real process: zero failed
 * requests, no 5xx during the swaps.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { PushResult } from "../../src/registry/model-registry.js";
import { environmentYaml, pushTestModel } from "./model-fixture.js";
import { startServerProcess, waitFor, type ServerProcess } from "../helpers/processes.js";

const TOTAL = 10_000;
const CONCURRENCY = 8;
let dir: string;
let models: PushResult[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mc-swap-"));
  models = [];
  for (const seed of [7, 8, 9]) models.push(await pushTestModel(join(dir, "registry"), "churn", { seed }));
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it("serves 10,000 requests across stable → canary → abort → new candidate without one failure", async () => {
  // Arrange
  const [v1, v2, v3] = models as [PushResult, PushResult, PushResult];
  const file = join(dir, "env.yaml");
  const registry = join(dir, "registry");
  const canary = "{ type: canary, steps: [50, 100], interval: 10m, max_failed_checks: 2 }";
  await writeFile(file, environmentYaml({ model: "churn", registry, stable: v1.pinnedRef }));
  const server: ServerProcess = await startServerProcess(
    ["--env", file, "--root", dir, "--admin-token-env", "ADMIN"],
    {
      ADMIN: "admin-secret",
    },
  );
  const statuses = new Map<number, number>();
  const versions = new Map<string, number>();
  let sent = 0;
  let flipsDone = false;
  const body = JSON.stringify({ instances: [{ x0: 0.3, x1: -1, x2: 0.5, x3: 2, plan: "pro" }] });
  // node:http with kept-alive sockets: the client must cost less than the server it loads.
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const { port } = new URL(server.url);
  function postRow(): Promise<{ status: number; version: string }> {
    return new Promise((resolve) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          path: "/v1/models/churn:predict",
          method: "POST",
          agent,
          headers: { "content-length": body.length },
        },
        (res) => {
          res.resume();
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? -1,
              version: String(res.headers["x-model-version"] ?? "none"),
            }),
          );
        },
      );
      req.on("error", () => resolve({ status: -1, version: "none" }));
      req.end(body);
    });
  }
  async function worker(): Promise<void> {
    while (sent < TOTAL || !flipsDone) {
      sent++;
      const { status, version } = await postRow();
      versions.set(version, (versions.get(version) ?? 0) + 1);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  }
  const rollout = async () =>
    (await (await fetch(`${server.url}/v1/rollout`)).json()) as Record<string, unknown>;
  const candidateIs = (version: string) => async () =>
    ((await rollout()).candidate as { version?: string } | null)?.version === version ? true : undefined;
  async function flips(): Promise<void> {
    const at = (n: number) =>
      waitFor(() => (sent >= n ? true : undefined), { timeout: 120_000, what: `${n} requests` });
    await at(TOTAL / 4);
    await writeFile(
      file,
      environmentYaml({
        model: "churn",
        registry,
        stable: v1.pinnedRef,
        candidate: v2.pinnedRef,
        strategy: canary,
      }),
    );
    await waitFor(candidateIs("v2"), { timeout: 60_000, what: "canary v2" });
    await at(TOTAL / 2);
    const aborted = await fetch(`${server.url}/v1/rollout/abort`, {
      method: "POST",
      headers: { authorization: "Bearer admin-secret" },
    });
    expect(aborted.status).toBe(200);
    await at((3 * TOTAL) / 4);
    await writeFile(
      file,
      environmentYaml({
        model: "churn",
        registry,
        stable: v1.pinnedRef,
        candidate: v3.pinnedRef,
        strategy: canary,
      }),
    );
    await waitFor(candidateIs("v3"), { timeout: 60_000, what: "canary v3" });
    flipsDone = true;
  }
  try {
    // Act
    await Promise.all([flips(), ...Array.from({ length: CONCURRENCY }, () => worker())]);
    const state = await rollout();
    // Assert
    expect(sent).toBeGreaterThanOrEqual(TOTAL);
    expect([...statuses.keys()]).toEqual([200]);
    expect(versions.get("v1")).toBeGreaterThan(0);
    expect(versions.get("v2")).toBeGreaterThan(0);
    expect(versions.get("v3")).toBeGreaterThan(0);
    expect(state).toMatchObject({ phase: "progressing", weights: { candidate: 0.5 } });
  } finally {
    agent.destroy();
    expect(await server.stop()).toBe(0);
  }
}, 180_000);
