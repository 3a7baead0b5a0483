/**
 * Grows one CART tree (decision tree, or one tree of a random forest) on
 * binned features: gini for classification, squared error for regression.
 *
 * Depth-first with an explicit stack. The rows of a node are a slice of one
 * Int32Array, partitioned in place at every split. Split finding builds one
 * histogram per candidate feature in a single reused Float64Array, touching
 * only the bins the node's rows occupy, so small deep nodes stay cheap.
 */
import type { Random } from "../common/random.js";
import { partitionRowsByBin, type BinnedMatrix } from "./binning.js";
import type { TreeArrays } from "./model.js";
import { addLeaf, createTreeBuffer, finishTree } from "./tree-storage.js";

/** Everything one tree needs; arrays are read, except `rows`, which is reordered. */
export interface CartInput {
  readonly binned: BinnedMatrix;
  /** Number of classes; 0 for regression. */
  readonly nClasses: number;
  /** Class index per row (classification). */
  readonly yClass: Int32Array;
  /** Target per row (regression). */
  readonly yValue: Float64Array;
  /** Weight per row (bootstrap count × class weight); only rows listed in `rows` are read. */
  readonly weights: Float64Array;
  /** The rows this tree learns from; partitioned in place. */
  readonly rows: Int32Array;
  readonly maxDepth: number;
  readonly minSamplesLeaf: number;
  /** Features looked at per split. */
  readonly maxFeatures: number;
  readonly random: Random;
}

/** Below this impurity a node counts as pure and is not split. */
const PURE = 1e-12;

/**
 * The working memory of one tree: typed arrays allocated once and reused by
 * every node, plus the best split found so far for the current node.
 */
interface CartState {
  readonly input: CartInput;
  readonly classification: boolean;
  /** Per-node statistics: class weights (K) or [Σw, Σwy, Σwy²], then the row count. */
  readonly nStats: number;
  readonly stride: number;
  readonly nOutputs: number;
  readonly tree: ReturnType<typeof createTreeBuffer>;
  readonly hist: Float64Array;
  readonly leftAcc: Float64Array;
  readonly bestLeft: Float64Array;
  readonly featureOrder: Int32Array;
  /** Node statistics, indexed by node id; grows with the tree. */
  stats: Float64Array;
  /** Pending nodes, four ints each: id, start, end, depth. */
  stack: Int32Array;
  top: number;
  /** Totals of the current node, set by {@link summarizeNode}. */
  totalW: number;
  parentProxy: number;
  /** Best split of the current node, set by {@link findBestSplit}. */
  bestProxy: number;
  bestFeature: number;
  bestBin: number;
  /** Bin range the current feature's rows occupy, set by {@link fillHistogram}. */
  minBin: number;
  maxBin: number;
}

function createCartState(input: CartInput): CartState {
  const classification = input.nClasses > 0;
  const nStats = classification ? input.nClasses : 3;
  const stride = nStats + 1;
  const nOutputs = classification ? input.nClasses : 1;
  const nFeatures = input.binned.nFeatures;
  const featureOrder = new Int32Array(nFeatures);
  for (let j = 0; j < nFeatures; j++) featureOrder[j] = j;
  return {
    input,
    classification,
    nStats,
    stride,
    nOutputs,
    tree: createTreeBuffer(nOutputs, 256),
    hist: new Float64Array(256 * stride),
    leftAcc: new Float64Array(stride),
    bestLeft: new Float64Array(stride),
    featureOrder,
    stats: new Float64Array(256 * stride),
    stack: new Int32Array(4 * 64),
    top: 0,
    totalW: 0,
    parentProxy: 0,
    bestProxy: -Infinity,
    bestFeature: -1,
    bestBin: -1,
    minBin: 0,
    maxBin: 0,
  };
}

/** Adds the root over every row and queues it. */
function addRoot(state: CartState): void {
  const { yClass, yValue, weights, rows } = state.input;
  const { stats, nStats, classification } = state;
  const root = addLeaf(state.tree);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const w = weights[r]!;
    if (classification) stats[yClass[r]!]! += w;
    else {
      const y = yValue[r]!;
      stats[0]! += w;
      stats[1]! += w * y;
      stats[2]! += w * y * y;
    }
    stats[nStats]! += 1;
  }
  pushNode(state, root, 0, rows.length, 0);
}

function pushNode(state: CartState, node: number, start: number, end: number, depth: number): void {
  if (4 * (state.top + 1) > state.stack.length) {
    const next = new Int32Array(state.stack.length * 2);
    next.set(state.stack);
    state.stack = next;
  }
  const at = 4 * state.top;
  state.stack[at] = node;
  state.stack[at + 1] = start;
  state.stack[at + 2] = end;
  state.stack[at + 3] = depth;
  state.top++;
}

/** Writes the node's leaf value; sets its total weight and split proxy; returns its impurity. */
function summarizeNode(state: CartState, node: number): number {
  const { classification, stats, tree, nOutputs } = state;
  const nClasses = state.input.nClasses;
  const sBase = node * state.stride;
  const vBase = node * nOutputs;
  let totalW = 0;
  let sumSq = 0;
  let impurity: number;
  if (classification) {
    for (let k = 0; k < nClasses; k++) totalW += stats[sBase + k]!;
    for (let k = 0; k < nClasses; k++) {
      const s = stats[sBase + k]!;
      sumSq += s * s;
      tree.value[vBase + k] = totalW > 0 ? s / totalW : 1 / nClasses;
    }
    impurity = totalW > 0 ? 1 - sumSq / (totalW * totalW) : 0;
  } else {
    totalW = stats[sBase]!;
    const sy = stats[sBase + 1]!;
    const mean = totalW > 0 ? sy / totalW : 0;
    tree.value[vBase] = mean;
    sumSq = totalW > 0 ? (sy * sy) / totalW : 0;
    impurity = totalW > 0 ? stats[sBase + 2]! / totalW - mean * mean : 0;
    if (impurity <= PURE * (1 + mean * mean)) impurity = 0;
  }
  state.totalW = totalW;
  state.parentProxy = classification ? (totalW > 0 ? sumSq / totalW : 0) : sumSq;
  return impurity;
}

/** Accumulates the histogram of feature `f` over the node's rows and records the bin range used. */
function fillHistogram(state: CartState, f: number, start: number, end: number): void {
  const { binned, yClass, yValue, weights, rows } = state.input;
  const { hist, stride, nStats } = state;
  const bins = binned.bins;
  const offset = f * binned.nRows;
  let minBin = 255;
  let maxBin = 0;
  if (state.classification) {
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      const b = bins[offset + r]!;
      if (b < minBin) minBin = b;
      if (b > maxBin) maxBin = b;
      const h = b * stride;
      hist[h + yClass[r]!]! += weights[r]!;
      hist[h + nStats]! += 1;
    }
  } else {
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      const b = bins[offset + r]!;
      if (b < minBin) minBin = b;
      if (b > maxBin) maxBin = b;
      const h = b * stride;
      const w = weights[r]!;
      const wy = w * yValue[r]!;
      hist[h]! += w;
      hist[h + 1]! += wy;
      hist[h + 2]! += wy * yValue[r]!;
      hist[h + 3]! += 1;
    }
  }
  state.minBin = minBin;
  state.maxBin = maxBin;
}

/** Scans the split points of feature `f` left to right and keeps the best one. */
function scanSplits(state: CartState, f: number, sBase: number, count: number): void {
  const { hist, stride, nStats, leftAcc, stats, classification, totalW } = state;
  const { nClasses, minSamplesLeaf } = state.input;
  leftAcc.fill(0);
  for (let b = state.minBin; b < state.maxBin; b++) {
    const h = b * stride;
    // Deep nodes hold few rows over a wide bin range: skip empty bins cheaply.
    if (hist[h + nStats] === 0) continue;
    for (let s = 0; s < stride; s++) leftAcc[s]! += hist[h + s]!;
    const nLeft = leftAcc[nStats]!;
    if (nLeft < minSamplesLeaf) continue;
    if (count - nLeft < minSamplesLeaf) break;
    let proxy: number;
    if (classification) {
      let wl = 0;
      let sl = 0;
      let sr = 0;
      for (let k = 0; k < nClasses; k++) {
        const l = leftAcc[k]!;
        const rr = stats[sBase + k]! - l;
        wl += l;
        sl += l * l;
        sr += rr * rr;
      }
      const wr = totalW - wl;
      if (wl <= 0 || wr <= 0) continue;
      proxy = sl / wl + sr / wr;
    } else {
      const wl = leftAcc[0]!;
      const wr = totalW - wl;
      if (wl <= 0 || wr <= 0) continue;
      const yl = leftAcc[1]!;
      const yr = stats[sBase + 1]! - yl;
      proxy = (yl * yl) / wl + (yr * yr) / wr;
    }
    if (proxy > state.bestProxy) {
      state.bestProxy = proxy;
      state.bestFeature = f;
      state.bestBin = b;
      state.bestLeft.set(leftAcc);
    }
  }
}

/** Zeroes the histogram bins `minBin…maxBin` for the next feature. */
function clearHistogram(state: CartState, onlyOccupied: boolean): void {
  const { hist, stride, nStats } = state;
  if (!onlyOccupied) {
    for (let s = state.minBin * stride, e = (state.maxBin + 1) * stride; s < e; s++) hist[s] = 0;
    return;
  }
  for (let b = state.minBin; b <= state.maxBin; b++) {
    const h = b * stride;
    if (hist[h + nStats] === 0) continue;
    for (let s = 0; s < stride; s++) hist[h + s] = 0;
  }
}

/** Finds the best split among up to `maxFeatures` non-constant features, drawn in random order. */
function findBestSplit(state: CartState, node: number, start: number, end: number): void {
  const { maxFeatures, random } = state.input;
  const nFeatures = state.input.binned.nFeatures;
  const featureOrder = state.featureOrder;
  const sBase = node * state.stride;
  state.bestProxy = -Infinity;
  state.bestFeature = -1;
  state.bestBin = -1;
  let visited = 0;
  for (let fi = 0; fi < nFeatures && visited < maxFeatures; fi++) {
    const pick = fi + random.int(nFeatures - fi);
    const f = featureOrder[pick]!;
    featureOrder[pick] = featureOrder[fi]!;
    featureOrder[fi] = f;
    fillHistogram(state, f, start, end);
    if (state.minBin === state.maxBin) {
      clearHistogram(state, false);
      continue;
    }
    visited++;
    scanSplits(state, f, sBase, end - start);
    clearHistogram(state, true);
  }
}

/** Partitions the node's rows in place, rows going left first; returns where the right ones start. */
function partitionRows(state: CartState, start: number, end: number): number {
  const { binned, rows } = state.input;
  return partitionRowsByBin(rows, binned.bins, state.bestFeature * binned.nRows, start, end, state.bestBin);
}

/** Turns the node into a split on the best feature and bin, with two child leaves. Returns their ids. */
function splitNode(state: CartState, node: number, gain: number): [number, number] {
  const { tree, stride, bestLeft } = state;
  const leftId = addLeaf(tree);
  const rightId = addLeaf(tree);
  tree.feature[node] = state.bestFeature;
  tree.threshold[node] = state.input.binned.thresholds[state.bestFeature]![state.bestBin]!;
  tree.left[node] = leftId;
  tree.right[node] = rightId;
  tree.gain[node] = gain;
  if ((rightId + 1) * stride > state.stats.length) {
    const next = new Float64Array(state.stats.length * 2);
    next.set(state.stats);
    state.stats = next;
  }
  const stats = state.stats;
  const sBase = node * stride;
  const lBase = leftId * stride;
  const rBase = rightId * stride;
  for (let s = 0; s < stride; s++) {
    stats[lBase + s] = bestLeft[s]!;
    stats[rBase + s] = stats[sBase + s]! - bestLeft[s]!;
  }
  return [leftId, rightId];
}

/** Grows a tree; classifier leaves hold class probabilities, regressor leaves the weighted mean. */
export function buildCartTree(input: CartInput): TreeArrays {
  const { maxDepth, minSamplesLeaf } = input;
  const state = createCartState(input);
  addRoot(state);
  while (state.top > 0) {
    state.top--;
    const at = 4 * state.top;
    const node = state.stack[at]!;
    const start = state.stack[at + 1]!;
    const end = state.stack[at + 2]!;
    const depth = state.stack[at + 3]!;
    const count = end - start;

    const impurity = summarizeNode(state, node);
    if (depth >= maxDepth || count < 2 * minSamplesLeaf || count < 2 || impurity <= PURE || state.totalW <= 0)
      continue;

    findBestSplit(state, node, start, end);
    // A split must lower the impurity; ties and rounding noise make a leaf.
    const gain = state.bestProxy - state.parentProxy;
    if (state.bestFeature < 0 || !(gain > PURE * state.parentProxy)) continue;

    const mid = partitionRows(state, start, end);
    const [leftId, rightId] = splitNode(state, node, gain);
    // Push right first so the left subtree is grown first.
    pushNode(state, rightId, mid, end, depth + 1);
    pushNode(state, leftId, start, mid, depth + 1);
  }
  return finishTree(state.tree);
}
