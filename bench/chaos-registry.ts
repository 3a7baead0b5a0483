/**
 * Registry chaos benchmark (`npm run bench:chaos-registry`; `npm run build`
 * first: the local part runs the built CLI).
 *
 * 1. Remote races: 20 rounds of two pushes in separate processes, started on
 *    the same instant against a real `docker-registry` on loopback. Every
 *    reported `v<N>` must resolve to the digest its push reported; a push
 *    that wrote a version tag more than once lost a race and moved on.
 * 2. Local crashes: 20 rounds of a CLI `registry push` into a temp local
 *    registry, killed with SIGKILL the moment its index lock appears; then a
 *    second CLI push. It must succeed, and the time it waited before taking
 *    the stale lock over (it says so on stderr) must stay within 1 s of the
 *    lock's bound for a holder that is gone on this host (0 s: the takeover
 *    is immediate). Whole push times are shown too; on a shared machine they
 *    are dominated by process start-up.
 * Finally every version in both registries is pulled and verified.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, watch } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { openModelRegistry } from "../src/registry/model-registry.js";
import { dockerRegistryMissing, startDockerRegistry } from "../test/helpers/docker-registry.js";
import { sampleCard, sampleModel } from "../test/registry/sample-model.js";

const ROUNDS = 20;
/** The lock's bound when its holder is a process gone on this host: none, it is taken over at once. */
const LOCK_BOUND_DEAD_HOLDER_MS = 0;
const BIN = fileURLToPath(new URL("../bin/meta-controller.js", import.meta.url));
const PUSH_REMOTE = fileURLToPath(new URL("../test/registry/fixtures/push-remote.ts", import.meta.url));

/** Prints rows as an aligned table. */
function printTable(title: string, rows: readonly (readonly (string | number)[])[]): void {
  const text = rows.map((row) => row.map(String));
  const widths = text[0]!.map((_, j) => Math.max(...text.map((row) => row[j]!.length)));
  console.log(`\n${title}`);
  for (const row of text)
    console.log(
      row
        .map((cell, j) => cell.padEnd(widths[j]!))
        .join("  ")
        .trimEnd(),
    );
}

/** Runs a program to its end; stdout, stderr and exit code. */
function run(args: readonly string[], onStart?: (child: ChildProcess) => void) {
  return new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, LOG_LEVEL: "warn" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("close", (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
    onStart?.(child);
  });
}

interface Reported {
  version: string;
  digest: string;
  versionPuts: number;
}

/** Part 1: racing remote pushes. */
async function remoteRaces(): Promise<boolean> {
  const missing = dockerRegistryMissing();
  if (missing !== undefined) {
    console.log(`\nremote races: skipped (${missing})`);
    return false;
  }
  const server = await startDockerRegistry();
  try {
    const rows: (string | number)[][] = [["round", "A", "B", "lost races", "A pulls A", "B pulls B"]];
    const registry = openModelRegistry(
      { kind: "remote", host: server.host, baseUrl: server.baseUrl, namespace: "chaos" },
      { timeoutMs: 20_000 },
    );
    let ok = true;
    let lost = 0;
    for (let round = 1; round <= ROUNDS; round += 1) {
      const startAt = String(Date.now() + 3_000);
      const runs = await Promise.all(
        [2 * round, 2 * round + 1].map((seed) =>
          run(["--import", "tsx", PUSH_REMOTE, server.host, "chaos", String(seed), startAt]),
        ),
      );
      const pair = runs.map((r) => (r.code === 0 ? (JSON.parse(r.stdout) as Reported) : undefined));
      const checks: string[] = [];
      for (const [i, reported] of pair.entries()) {
        if (reported === undefined) {
          checks.push(`push failed: ${runs[i]!.stderr.trim().split("\n").pop() ?? ""}`);
          continue;
        }
        const digest = (await registry.resolve({ name: "churn", tag: reported.version })).digest;
        checks.push(digest === reported.digest ? "yes" : `NO (${digest})`);
      }
      const roundLost = pair.reduce((sum, r) => sum + Math.max(0, (r?.versionPuts ?? 1) - 1), 0);
      lost += roundLost;
      ok &&= checks.every((c) => c === "yes") && pair[0]?.version !== pair[1]?.version;
      rows.push([round, pair[0]?.version ?? "-", pair[1]?.version ?? "-", roundLost, ...checks]);
    }
    printTable("remote: two concurrent pushes per round (docker-registry on loopback)", rows);
    console.log(
      `lost races (a push retried on the next version): ${lost}; every reported version pulls its digest: ${ok ? "yes" : "NO"}`,
    );
    return ok;
  } finally {
    await server.stop();
  }
}

/** Kills `child` with SIGKILL as soon as the index lock file of `layoutDir` appears. */
function killOnLock(
  layoutDir: string,
  child: ChildProcess,
): { stop: () => void; killedWithLock: () => boolean } {
  let killed = false;
  const watcher = watch(layoutDir, (_event, name) => {
    if (!killed && name === "index.json.lock") {
      killed = true;
      child.kill("SIGKILL");
    }
  });
  return { stop: () => watcher.close(), killedWithLock: () => killed };
}

/** Part 2: CLI pushes killed while they hold the local index lock. */
async function localCrashes(): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), "mc-chaos-registry-"));
  try {
    const root = join(dir, "registry");
    const model = join(dir, "model.onnx");
    const card = join(dir, "card.json");
    await writeFile(model, sampleModel("churn", 64 * 1024, 3).onnx);
    await writeFile(card, JSON.stringify({ ...sampleCard(), name: "churn" }));
    const push = ["registry", "push", "--registry", root, "--model", model, "--card", card, "--json"];
    // Undisturbed pushes: the baseline the post-crash push is compared with.
    const baseline: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const clean = await run([BIN, ...push]);
      if (clean.code !== 0) throw new Error(`baseline push failed: ${clean.stderr}`);
      baseline.push(clean.ms);
    }
    baseline.sort((a, b) => a - b);
    const typical = baseline[1]!;
    const rows: (string | number)[][] = [
      ["round", "killed holding lock", "lock left", "next push", "took over", "lock wait ms", "next push ms"],
    ];
    let ok = true;
    for (let round = 1; round <= ROUNDS; round += 1) {
      let killer: ReturnType<typeof killOnLock> | undefined;
      await run([BIN, ...push], (child) => (killer = killOnLock(join(root, "churn"), child)));
      killer?.stop();
      const lockLeft = existsSync(join(root, "churn", "index.json.lock"));
      const next = await run([BIN, ...push]);
      const version = next.code === 0 ? (JSON.parse(next.stdout) as { version: string }).version : "FAILED";
      // The push reports how long it waited before taking the stale lock over.
      const waited = /took over a stale lock after waiting (\d+) ms/.exec(next.stderr)?.[1];
      const wait = waited === undefined ? 0 : Number(waited);
      ok &&= next.code === 0 && wait <= LOCK_BOUND_DEAD_HOLDER_MS + 1_000;
      rows.push([
        round,
        killer?.killedWithLock() ? "yes" : "no",
        lockLeft ? "yes" : "no",
        version,
        waited === undefined ? "no" : "yes",
        waited ?? "-",
        Math.round(next.ms),
      ]);
    }
    printTable(
      `local: CLI push killed (SIGKILL) when its index lock appears; undisturbed push ${Math.round(typical)} ms`,
      rows,
    );
    const registry = openModelRegistry({ kind: "local", root });
    const tags = (await registry.listTags("churn")).filter((tag) => /^v\d+$/.test(tag));
    for (const tag of tags) await registry.pull({ name: "churn", tag });
    console.log(
      `every one of ${tags.length} versions pulls and verifies; next push took the lock within its bound (+1 s) every round: ${ok ? "yes" : "NO"}`,
    );
    return ok;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const remoteOk = await remoteRaces();
const localOk = await localCrashes();
process.exitCode = remoteOk && localOk ? 0 : 1;
