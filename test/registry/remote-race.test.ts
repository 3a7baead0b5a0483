/**
 * Two pushes in separate processes race for the same `v<N>` against a real
 * `docker-registry`: both must report distinct versions, and each reported
 * version must pull the digest its push reported (a version tag is never
 * moved under a push that already reported it).
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openModelRegistry } from "../../src/registry/model-registry.js";
import {
  dockerRegistryMissing,
  type RunningRegistry,
  startDockerRegistry,
} from "../helpers/docker-registry.js";
import { runToEnd } from "../helpers/processes.js";
import { sampleModel } from "./sample-model.js";

const PUSH = fileURLToPath(new URL("./fixtures/push-remote.ts", import.meta.url));
const missing = dockerRegistryMissing();
if (missing) console.warn(`skipping docker-registry tests: ${missing}`);

interface Reported {
  version: string;
  digest: string;
}

/** Runs two pushes that start on the same instant; returns what each reported. */
async function racePushes(host: string, namespace: string, seeds: [number, number]): Promise<Reported[]> {
  // Far enough ahead that both processes have loaded before it.
  const startAt = String(Date.now() + 4_000);
  const runs = await Promise.all(
    seeds.map((seed) =>
      runToEnd(process.execPath, ["--import", "tsx", PUSH, host, namespace, String(seed), startAt], {
        timeoutMs: 60_000,
      }),
    ),
  );
  for (const run of runs) expect(run.code, run.stderr).toBe(0);
  return runs.map((run) => JSON.parse(run.stdout) as Reported);
}

describe.skipIf(missing !== undefined)("remote registry: concurrent pushes", () => {
  let server: RunningRegistry;
  beforeAll(async () => {
    server = await startDockerRegistry();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("gives two racing pushes distinct versions that each pull their own digest", async () => {
    const registry = openModelRegistry(
      { kind: "remote", host: server.host, baseUrl: server.baseUrl, namespace: "race" },
      { timeoutMs: 20_000 },
    );
    const reported: Reported[] = [];
    for (let round = 0; round < 3; round += 1) {
      const pair = await racePushes(server.host, "race", [2 * round + 1, 2 * round + 2]);
      expect(pair[0]!.version).not.toBe(pair[1]!.version);
      reported.push(...pair);
    }
    for (const { version, digest } of reported) {
      expect((await registry.resolve({ name: "churn", tag: version })).digest, version).toBe(digest);
    }
    expect(new Set(reported.map((r) => r.version)).size).toBe(6);
  }, 120_000);

  it("moves the push whose tag was overwritten to the next version (the race forced step by step)", async () => {
    // A writes v1 only after B has found v1 absent; B writes v1 only after A's write: B's lands last.
    let markChecked = () => undefined as void;
    const bChecked = new Promise<void>((resolve) => (markChecked = resolve));
    let markWritten = () => undefined as void;
    const aWritten = new Promise<void>((resolve) => (markWritten = resolve));
    const isV1 = (input: Parameters<typeof fetch>[0], method: string, init?: RequestInit) =>
      (init?.method ?? "GET") === method &&
      (input instanceof Request ? input.url : String(input)).endsWith("/manifests/v1");
    const fetchA: typeof fetch = async (input, init) => {
      if (!isV1(input, "PUT", init)) return fetch(input, init);
      await bChecked;
      const response = await fetch(input, init);
      markWritten();
      return response;
    };
    const fetchB: typeof fetch = async (input, init) => {
      if (isV1(input, "PUT", init)) await aWritten;
      const response = await fetch(input, init);
      if (isV1(input, "HEAD", init)) markChecked();
      return response;
    };
    const open = (fetchImpl: typeof fetch) =>
      openModelRegistry(
        { kind: "remote", host: server.host, baseUrl: server.baseUrl, namespace: "forced" },
        { timeoutMs: 20_000, fetch: fetchImpl },
      );

    const [a, b] = await Promise.all([
      open(fetchA).push(sampleModel("churn", 2048, 1)),
      open(fetchB).push(sampleModel("churn", 2048, 2)),
    ]);

    expect([a.version, b.version]).toEqual(["v2", "v1"]);
    const reader = open(fetch);
    expect((await reader.resolve({ name: "churn", tag: "v1" })).digest).toBe(b.digest);
    expect((await reader.resolve({ name: "churn", tag: "v2" })).digest).toBe(a.digest);
  });
});
