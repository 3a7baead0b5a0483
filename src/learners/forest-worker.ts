/**
 * Worker entry of the process's forest pool: it stays up and grows the trees
 * of each job it is sent, posting them back (buffers transferred) with the
 * job's id; a job that throws is answered with its message.
 */
import { parentPort } from "node:worker_threads";
import { growForestTrees, type ForestJob } from "./forest-job.js";
import type { TreeArrays } from "./model.js";

/** One job the pool hands a worker. */
export interface ForestWorkerInput {
  readonly job: ForestJob;
  readonly treeIndices: readonly number[];
}

/** A job message of the pool, and the worker's answer. */
export interface ForestWorkerRequest extends ForestWorkerInput {
  readonly id: number;
}
export interface ForestWorkerReply {
  readonly id: number;
  readonly trees?: TreeArrays[];
  readonly error?: string;
}

function grow(input: ForestWorkerInput): { trees: TreeArrays[]; transfer: ArrayBuffer[] } {
  const trees = growForestTrees(input.job, input.treeIndices);
  const transfer: ArrayBuffer[] = [];
  for (const tree of trees) {
    for (const array of [tree.feature, tree.threshold, tree.left, tree.right, tree.value, tree.gain]) {
      if (array !== undefined) transfer.push(array.buffer as ArrayBuffer);
    }
  }
  return { trees, transfer };
}

parentPort?.on("message", (request: ForestWorkerRequest) => {
  try {
    const { trees, transfer } = grow(request);
    parentPort?.postMessage({ id: request.id, trees } satisfies ForestWorkerReply, transfer);
  } catch (error) {
    parentPort?.postMessage({
      id: request.id,
      error: error instanceof Error ? error.message : String(error),
    } satisfies ForestWorkerReply);
  }
});
