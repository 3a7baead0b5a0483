/**
 * Runs forest jobs on worker threads. Trees are dealt round-robin to the
 * workers and put back in index order, so the result does not depend on the
 * thread count or on which worker finishes first.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { growForestTrees, type ForestJob } from "./forest-job.js";
import type { ForestWorkerInput } from "./forest-worker.js";
import type { TreeArrays } from "./model.js";
import { checkInteger } from "./params.js";

/** The thread count to use: the caller's, or every available core. */
export function resolveThreads(threads: number | undefined): number {
  if (threads === undefined) return availableParallelism();
  return checkInteger("threads", threads, 1, 1024);
}

/**
 * Where the worker's code is: the compiled `.js` beside this module in
 * production; under tests only the `.ts` source exists, which Node runs
 * through the tsx loader.
 */
function workerLocation(): { url: URL; execArgv: string[] } {
  const js = new URL("./forest-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(js))) return { url: js, execArgv: [] };
  const ts = new URL("./forest-worker.ts", import.meta.url);
  return { url: ts, execArgv: ["--import", "tsx"] };
}

function runWorker(job: ForestJob, treeIndices: number[]): Promise<TreeArrays[]> {
  const { url, execArgv } = workerLocation();
  const workerData: ForestWorkerInput = { job, treeIndices };
  return new Promise((resolve, reject) => {
    const worker = new Worker(url, { workerData, execArgv });
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
  const results = await Promise.all(assignments.map((indices) => runWorker(job, indices)));
  const trees = new Array<TreeArrays>(nTrees);
  results.forEach((workerTrees, w) => {
    assignments[w]!.forEach((treeIndex, k) => {
      trees[treeIndex] = workerTrees[k]!;
    });
  });
  return trees;
}
