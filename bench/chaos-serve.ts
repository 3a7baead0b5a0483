/**
 * Chaos for the model server: the built `meta-controller serve` is killed
 * with SIGKILL at random moments and restarted on the same state folder.
 *
 * - Canary: v1 stable, v2 at 50 %; traffic from a few concurrent clients;
 *   partway through, the rollout is aborted (POST /v1/rollout/abort). After
 *   the abort is acknowledged, every answer from v2 is counted: there must
 *   be none, across every restart.
 * - Broken stable: the file then names a stable whose weights are corrupt;
 *   each restart must come up on the cached last-good model (v1), say it is
 *   degraded, and never exit on its own.
 *
 * Kill moments and request counts come from one seeded PRNG (`--seed`).
 * Prints a table; exits 1 when an invariant broke.
 *
 *   npm run build && npm run bench:chaos-serve [-- --kills 12 --broken-restarts 5 --seed 1]
 */
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createRandom, type Random } from "../src/common/random.js";
import { findModelLayers } from "../src/registry/manifest.js";
import { openModelRegistry, type PushResult } from "../src/registry/model-registry.js";
import { parseModelReference } from "../src/registry/reference.js";
import { delay, startServerProcess, type ServerProcess } from "../test/helpers/processes.js";
import { environmentYaml, pushTestModel } from "../test/serve/model-fixture.js";

const ADMIN = "chaos-admin-token";
const CLIENTS = 4;

interface Tally {
  kills: number;
  restarts: number;
  exits: number;
  requests: number;
  failedRequests: number;
  byVersion: Record<string, number>;
  abortedCandidateAfterAbort: number;
  degradedRestarts: number;
  notDegradedRestarts: number;
}

interface Run {
  readonly dir: string;
  readonly registryRoot: string;
  readonly file: string;
  readonly state: string;
  readonly random: Random;
  readonly tally: Tally;
  /** Set once the abort has been acknowledged with a 200. */
  abortedAt: number | null;
}

const row = (i: number) => ({ x0: Math.sin(i), x1: Math.cos(i), x2: (i % 7) / 7, x3: 0.3, plan: "pro" });

function serve(run: Run): Promise<ServerProcess> {
  return startServerProcess(["--env", run.file, "--root", run.dir, "--admin-token-env", "ADMIN_TOKEN"], {
    SERVE_STATE_DIR: run.state,
    ADMIN_TOKEN: ADMIN,
  });
}

/** One client: predictions until `stop` is set; counts who answered. */
async function client(run: Run, server: ServerProcess, stop: { done: boolean }, id: number): Promise<void> {
  for (let i = 0; !stop.done; i++) {
    const sentAfterAbort = run.abortedAt !== null;
    run.tally.requests++;
    try {
      const response = await fetch(`${server.url}/v1/models/churn:predict`, {
        method: "POST",
        body: JSON.stringify({ instances: [row(id * 100_000 + i)] }),
      });
      await response.arrayBuffer();
      const version = response.headers.get("x-model-version") ?? `HTTP ${response.status}`;
      run.tally.byVersion[version] = (run.tally.byVersion[version] ?? 0) + 1;
      if (sentAfterAbort && version === "v2") run.tally.abortedCandidateAfterAbort++;
    } catch {
      // The process was killed under this request.
      run.tally.failedRequests++;
      return;
    }
  }
}

async function abort(run: Run, server: ServerProcess): Promise<void> {
  try {
    const response = await fetch(`${server.url}/v1/rollout/abort`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    if (response.status === 200) run.abortedAt ??= run.tally.kills;
  } catch {
    // Killed before it answered: not acknowledged, so not counted as aborted.
  }
}

/** Traffic for a random time, maybe an abort inside it, then SIGKILL. */
async function killOnce(run: Run, server: ServerProcess, abortThisRound: boolean): Promise<void> {
  const stop = { done: false };
  const clients = Array.from({ length: CLIENTS }, (_, c) => client(run, server, stop, c));
  const lifetimeMs = 100 + Math.floor(run.random.next() * 900);
  if (abortThisRound) {
    await delay(Math.floor(lifetimeMs * run.random.next()));
    await abort(run, server);
  }
  await delay(lifetimeMs);
  if (server.child.exitCode !== null) run.tally.exits++;
  server.child.kill("SIGKILL");
  run.tally.kills++;
  await server.stop();
  stop.done = true;
  await Promise.all(clients);
}

/** Overwrites the weights blob of `model` in the local registry. */
async function corruptWeights(registryRoot: string, model: PushResult): Promise<void> {
  const registry = openModelRegistry({ kind: "local", root: registryRoot });
  const pulled = await registry.pull(parseModelReference(model.pinnedRef));
  const hex = findModelLayers(pulled.manifest, model.pinnedRef).weights.digest.slice("sha256:".length);
  const walk = (folder: string): string[] =>
    readdirSync(folder).flatMap((name) => {
      const path = join(folder, name);
      return statSync(path).isDirectory() ? walk(path) : name === hex ? [path] : [];
    });
  for (const blob of walk(registryRoot)) writeFileSync(blob, "corrupt");
}

/** Starts the server, counting a start that fails (the process exited) as an exit. */
async function restart(run: Run): Promise<ServerProcess | null> {
  try {
    const server = await serve(run);
    run.tally.restarts++;
    return server;
  } catch {
    run.tally.exits++;
    return null;
  }
}

async function canaryPhase(run: Run, kills: number, v1: PushResult, v2: PushResult): Promise<void> {
  const strategy = "{ type: canary, steps: [50, 100], interval: 1h, max_failed_checks: 2 }";
  const yaml = environmentYaml({
    model: "churn",
    registry: run.registryRoot,
    stable: v1.pinnedRef,
    candidate: v2.pinnedRef,
    strategy,
    checks: "{ min_requests: 100000 }",
  });
  await writeFile(run.file, yaml);
  // The abort lands in a random round of the first half, so several restarts follow it.
  const abortRound = 1 + Math.floor(run.random.next() * Math.max(1, Math.floor(kills / 2)));
  let server = await restart(run);
  for (let k = 0; k < kills && server !== null; k++) {
    await killOnce(run, server, k === abortRound || (k > abortRound && run.abortedAt === null));
    server = await restart(run);
  }
  if (server !== null) await server.stop();
}

async function brokenStablePhase(run: Run, restarts: number, broken: PushResult): Promise<void> {
  await corruptWeights(run.registryRoot, broken);
  await writeFile(
    run.file,
    environmentYaml({ model: "churn", registry: run.registryRoot, stable: broken.pinnedRef }),
  );
  for (let r = 0; r < restarts; r++) {
    const server = await restart(run);
    if (server === null) continue;
    const health = (await (await fetch(`${server.url}/v2/health/ready`)).json()) as { degraded?: boolean };
    if (health.degraded === true) run.tally.degradedRestarts++;
    else run.tally.notDegradedRestarts++;
    await killOnce(run, server, false);
  }
}

function printTable(run: Run, seed: number): void {
  const { tally } = run;
  const rows: [string, string][] = [
    ["seed", String(seed)],
    ["abort acknowledged before kill no.", run.abortedAt === null ? "never" : String(run.abortedAt + 1)],
    ["SIGKILLs", String(tally.kills)],
    ["restarts", String(tally.restarts)],
    ["requests sent", String(tally.requests)],
    ["requests cut by a kill", String(tally.failedRequests)],
    ["answers by version", JSON.stringify(tally.byVersion)],
    ["requests to the aborted candidate after abort", String(tally.abortedCandidateAfterAbort)],
    [
      "restarts with a broken stable: degraded / not",
      `${tally.degradedRestarts} / ${tally.notDegradedRestarts}`,
    ],
    ["exits (the server stopped on its own)", String(tally.exits)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`| ${"".padEnd(width)} | value |\n| ${"-".repeat(width)} | ----- |`);
  for (const [k, v] of rows) console.log(`| ${k.padEnd(width)} | ${v} |`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kills: { type: "string", default: "12" },
      "broken-restarts": { type: "string", default: "5" },
      seed: { type: "string", default: "1" },
    },
  });
  const seed = Number(values.seed);
  const dir = await mkdtemp(join(tmpdir(), "mc-chaos-"));
  const run: Run = {
    dir,
    registryRoot: join(dir, "registry"),
    file: join(dir, "staging.yaml"),
    state: join(dir, "state"),
    random: createRandom(seed),
    tally: {
      kills: 0,
      restarts: 0,
      exits: 0,
      requests: 0,
      failedRequests: 0,
      byVersion: {},
      abortedCandidateAfterAbort: 0,
      degradedRestarts: 0,
      notDegradedRestarts: 0,
    },
    abortedAt: null,
  };
  try {
    const v1 = await pushTestModel(run.registryRoot, "churn", { seed: 7 });
    const v2 = await pushTestModel(run.registryRoot, "churn", { seed: 8 });
    const broken = await pushTestModel(run.registryRoot, "churn", { seed: 9 });
    await canaryPhase(run, Number(values.kills), v1, v2);
    await brokenStablePhase(run, Number(values["broken-restarts"]), broken);
    printTable(run, seed);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const { tally } = run;
  const ok =
    run.abortedAt !== null &&
    tally.abortedCandidateAfterAbort === 0 &&
    tally.exits === 0 &&
    tally.notDegradedRestarts === 0;
  if (!ok) {
    console.error("an invariant broke (see the table)");
    process.exitCode = 1;
  }
}

await main();
