/**
 * Runs forest jobs on worker threads. Trees are dealt round-robin to the
 * workers and put back in index order, so the result does not depend on the
 * thread count or on which worker finishes first.
 *
 * The workers are one pool per process, started when first needed and
 * reused by every fit, fold and trial (starting a worker costs tens of
 * milliseconds, more than a small forest's trees). An idle worker does not
 * keep the process alive; a worker that fails is dropped and replaced.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { UsageError } from "../common/errors.js";
import { growForestTrees, type ForestJob } from "./forest-job.js";
import type { ForestWorkerReply, ForestWorkerRequest } from "./forest-worker.js";
import type { TreeArrays } from "./model.js";

/** The thread count to use: the caller's, or every available core. */
export function resolveThreads(threads: number | undefined): number {
  if (threads === undefined) return availableParallelism();
  if (!Number.isInteger(threads) || threads < 1 || threads > 1024) {
    throw new UsageError(`threads must be an integer in [1, 1024], got ${threads}`);
  }
  return threads;
}

/**
 * How to start the worker: the compiled `.js` beside this module in
 * production. Under tests only the `.ts` source exists; Node 20 ignores an
 * `--import tsx` in a worker's `execArgv`, so a two-line bootstrap registers
 * tsx's loader inside the worker and then imports the source.
 */
function createForestWorker(): Worker {
  const js = new URL("./forest-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js);
  const ts = new URL("./forest-worker.ts", import.meta.url);
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve("tsx/package.json");
  const manifest = JSON.parse(readFileSync(packageJson, "utf8")) as {
    exports: Record<string, { import: { default: string } }>;
  };
  const api = pathToFileURL(join(dirname(packageJson), manifest.exports["./esm/api"]!.import.default)).href;
  const bootstrap = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(ts.href)}); });`;
  return new Worker(bootstrap, { eval: true });
}

/** A pooled worker and the jobs it has in hand. */
interface PooledWorker {
  readonly worker: Worker;
  readonly pending: Map<number, { resolve: (trees: TreeArrays[]) => void; reject: (error: Error) => void }>;
}

const pool: PooledWorker[] = [];
let nextJobId = 0;

/** Workers the process's pool has started and keeps (for tests and diagnostics). */
export function countPooledWorkers(): number {
  return pool.length;
}

/** Drops a failed worker: its jobs fail, and the next job starts a fresh one. */
function retire(entry: PooledWorker, error: Error): void {
  const at = pool.indexOf(entry);
  if (at >= 0) pool.splice(at, 1);
  for (const { reject } of entry.pending.values()) reject(error);
  entry.pending.clear();
  void entry.worker.terminate();
}

function startPooledWorker(): PooledWorker {
  const entry: PooledWorker = { worker: createForestWorker(), pending: new Map() };
  entry.worker.unref();
  entry.worker.on("message", (reply: ForestWorkerReply) => {
    const job = entry.pending.get(reply.id);
    if (job === undefined) return;
    entry.pending.delete(reply.id);
    // Idle again: it no longer keeps the process alive.
    if (entry.pending.size === 0) entry.worker.unref();
    if (reply.trees !== undefined) job.resolve(reply.trees);
    else job.reject(new Error(`forest worker failed: ${reply.error ?? "no trees"}`));
  });
  entry.worker.once("error", (error) => retire(entry, error));
  entry.worker.once("exit", (code) => retire(entry, new Error(`forest worker exited with code ${code}`)));
  pool.push(entry);
  return entry;
}

/** Runs one job on pooled worker `slot` (started when missing). */
function runOnPool(slot: number, job: ForestJob, treeIndices: number[]): Promise<TreeArrays[]> {
  const entry = pool[slot] ?? startPooledWorker();
  const id = nextJobId++;
  return new Promise((resolve, reject) => {
    entry.pending.set(id, { resolve, reject });
    // Busy: keep the process alive until the trees come back.
    entry.worker.ref();
    entry.worker.postMessage({ id, job, treeIndices } satisfies ForestWorkerRequest);
  });
}

/** Grows trees 0…nTrees-1 of a forest on up to `threads` threads (1: in this thread). */
export async function growForest(job: ForestJob, nTrees: number, threads: number): Promise<TreeArrays[]> {
  const nWorkers = Math.min(threads, nTrees);
  if (nWorkers <= 1)
    return growForestTrees(
      job,
      Array.from({ length: nTrees }, (_, i) => i),
    );
  const assignments: number[][] = Array.from({ length: nWorkers }, () => []);
  for (let i = 0; i < nTrees; i++) assignments[i % nWorkers]!.push(i);
  const results = await Promise.all(assignments.map((indices, w) => runOnPool(w, job, indices)));
  const trees = new Array<TreeArrays>(nTrees);
  results.forEach((workerTrees, w) => {
    assignments[w]!.forEach((treeIndex, k) => {
      trees[treeIndex] = workerTrees[k]!;
    });
  });
  return trees;
}
