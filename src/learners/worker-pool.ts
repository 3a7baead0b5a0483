/**
 * Runs forest jobs on worker threads. Trees are dealt round-robin to the
 * workers and put back in index order, so the result does not depend on the
 * thread count or on which worker finishes first.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { UsageError } from "../common/errors.js";
import { growForestTrees, type ForestJob } from "./forest-job.js";
import type { ForestWorkerInput } from "./forest-worker.js";
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
function createForestWorker(workerData: ForestWorkerInput): Worker {
  const js = new URL("./forest-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData });
  const ts = new URL("./forest-worker.ts", import.meta.url);
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve("tsx/package.json");
  const manifest = JSON.parse(readFileSync(packageJson, "utf8")) as {
    exports: Record<string, { import: { default: string } }>;
  };
  const api = pathToFileURL(join(dirname(packageJson), manifest.exports["./esm/api"]!.import.default)).href;
  const bootstrap = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(ts.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

function runWorker(job: ForestJob, treeIndices: number[], started: Worker[]): Promise<TreeArrays[]> {
  return new Promise((resolve, reject) => {
    const worker = createForestWorker({ job, treeIndices });
    started.push(worker);
    let result: TreeArrays[] | undefined;
    worker.once("message", (trees: TreeArrays[]) => {
      result = trees;
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (result !== undefined) resolve(result);
      else reject(new Error(`forest worker exited with code ${code} before returning its trees`));
    });
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
  const started: Worker[] = [];
  let results: TreeArrays[][];
  try {
    results = await Promise.all(assignments.map((indices) => runWorker(job, indices, started)));
  } catch (error) {
    // One failed worker fails the forest; do not leave the others running.
    await Promise.all(started.map((w) => w.terminate()));
    throw error;
  }
  const trees = new Array<TreeArrays>(nTrees);
  results.forEach((workerTrees, w) => {
    assignments[w]!.forEach((treeIndex, k) => {
      trees[treeIndex] = workerTrees[k]!;
    });
  });
  return trees;
}
