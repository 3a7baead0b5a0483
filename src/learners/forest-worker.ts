/**
 * Worker entry: grows the forest trees it is given and posts them back with
 * their buffers transferred, then exits.
 */
import { parentPort, workerData } from "node:worker_threads";
import { growForestTrees, type ForestJob } from "./forest-job.js";

/** What the pool hands a worker. */
export interface ForestWorkerInput {
  readonly job: ForestJob;
  readonly treeIndices: readonly number[];
}

const input = workerData as ForestWorkerInput;
const trees = growForestTrees(input.job, input.treeIndices);
const transfer: ArrayBuffer[] = [];
for (const tree of trees) {
  for (const array of [tree.feature, tree.threshold, tree.left, tree.right, tree.value, tree.gain]) {
    if (array !== undefined) transfer.push(array.buffer as ArrayBuffer);
  }
}
parentPort?.postMessage(trees, transfer);
