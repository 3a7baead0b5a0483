/**
 * The unit of work of a forest: grow trees by index from a shared, binned
 * training set. The same function runs in the main thread and in workers, and
 * each tree draws only from a generator forked from the forest seed and its
 * own index, so the forest is byte-identical whatever the thread count.
 */
import { createRandom } from "../common/random.js";
import type { BinnedMatrix } from "./binning.js";
import { buildCartTree } from "./cart-builder.js";
import type { TreeArrays } from "./model.js";
import { resolveClassWeights, type ClassWeight } from "./params.js";

/** A forest's training set and settings; structured-clonable, big arrays in shared memory. */
export interface ForestJob {
  readonly binned: BinnedMatrix;
  /** Number of classes; 0 for regression. */
  readonly nClasses: number;
  readonly yClass: Int32Array;
  readonly yValue: Float64Array;
  readonly classWeight: ClassWeight;
  readonly bootstrap: boolean;
  readonly maxDepth: number;
  readonly minSamplesLeaf: number;
  readonly maxFeatures: number;
  readonly seed: number;
}

/** Grows the trees with the given indices, in that order. */
export function growForestTrees(job: ForestJob, treeIndices: readonly number[]): TreeArrays[] {
  const n = job.binned.nRows;
  const classification = job.nClasses > 0;
  const counts = new Float64Array(n);
  const weights = new Float64Array(n);
  const classCounts = new Float64Array(Math.max(job.nClasses, 1));
  const trees: TreeArrays[] = [];
  // Weights of `balanced` come from the whole training set, once.
  let fixedClassWeights: Float64Array | undefined;
  if (classification && job.classWeight !== "balanced_subsample") {
    for (let i = 0; i < n; i++) classCounts[job.yClass[i]!]!++;
    fixedClassWeights = resolveClassWeights(job.classWeight, classCounts);
  }
  for (const index of treeIndices) {
    const random = createRandom(job.seed).fork(index);
    counts.fill(0);
    if (job.bootstrap) {
      for (let i = 0; i < n; i++) counts[random.int(n)]!++;
    } else counts.fill(1);
    let nUsed = 0;
    for (let i = 0; i < n; i++) if (counts[i]! > 0) nUsed++;
    const rows = new Int32Array(nUsed);
    for (let i = 0, k = 0; i < n; i++) if (counts[i]! > 0) rows[k++] = i;
    let classWeights = fixedClassWeights;
    if (classification && classWeights === undefined) {
      classCounts.fill(0);
      for (let i = 0; i < n; i++) classCounts[job.yClass[i]!]! += counts[i]!;
      classWeights = resolveClassWeights("balanced_subsample", classCounts);
    }
    if (classWeights !== undefined) {
      for (let i = 0; i < n; i++) weights[i] = counts[i]! * classWeights[job.yClass[i]!]!;
    } else weights.set(counts);
    trees.push(
      buildCartTree({
        binned: job.binned,
        nClasses: job.nClasses,
        yClass: job.yClass,
        yValue: job.yValue,
        weights,
        rows,
        maxDepth: job.maxDepth,
        minSamplesLeaf: job.minSamplesLeaf,
        maxFeatures: job.maxFeatures,
        random,
      }),
    );
  }
  return trees;
}
