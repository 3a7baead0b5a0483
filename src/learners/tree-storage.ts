/**
 * A growable flat tree, turned into the fixed-size {@link TreeArrays} of the
 * model contract when the tree is done.
 */
import type { TreeArrays } from "./model.js";

/** A tree under construction; arrays double when full. */
export interface TreeBuffer {
  nNodes: number;
  nOutputs: number;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
  gain: Float64Array;
}

/** An empty tree with room for `capacity` nodes. */
export function createTreeBuffer(nOutputs: number, capacity = 64): TreeBuffer {
  return {
    nNodes: 0,
    nOutputs,
    feature: new Int32Array(capacity),
    threshold: new Float64Array(capacity),
    left: new Int32Array(capacity),
    right: new Int32Array(capacity),
    value: new Float64Array(capacity * nOutputs),
    gain: new Float64Array(capacity),
  };
}

function grow<T extends Int32Array | Float64Array>(array: T, size: number): T {
  const next = new (array.constructor as new (n: number) => T)(size);
  next.set(array);
  return next;
}

/** Appends a leaf and returns its index; its outputs are zero until set. */
export function addLeaf(tree: TreeBuffer): number {
  const id = tree.nNodes;
  if (id === tree.feature.length) {
    const size = id * 2;
    tree.feature = grow(tree.feature, size);
    tree.threshold = grow(tree.threshold, size);
    tree.left = grow(tree.left, size);
    tree.right = grow(tree.right, size);
    tree.value = grow(tree.value, size * tree.nOutputs);
    tree.gain = grow(tree.gain, size);
  }
  tree.feature[id] = -1;
  tree.left[id] = -1;
  tree.right[id] = -1;
  tree.nNodes = id + 1;
  return id;
}

/** Copies the used part of a buffer into exact-size arrays. */
export function finishTree(tree: TreeBuffer): TreeArrays {
  const n = tree.nNodes;
  return {
    feature: tree.feature.slice(0, n),
    threshold: tree.threshold.slice(0, n),
    left: tree.left.slice(0, n),
    right: tree.right.slice(0, n),
    value: tree.value.slice(0, n * tree.nOutputs),
    nOutputs: tree.nOutputs,
    gain: tree.gain.slice(0, n),
  };
}
