/**
 * Grows one gradient-boosting tree on binned features, leaf-wise (best gain
 * first) as scikit-learn's HistGradientBoosting does.
 *
 * Each splittable leaf keeps a gradient histogram `[Σg, Σh, count]` per
 * feature and bin. A split scans only the smaller child's rows; the larger
 * child's histogram is the parent's minus the smaller one, written over the
 * parent's buffer (histogram subtraction). Rows of a node are a slice of one
 * Int32Array, partitioned in place.
 */
import type { BinnedMatrix } from "./binning.js";
import { addLeaf, createTreeBuffer, type TreeBuffer } from "./tree-storage.js";

/** Settings of one boosted tree. */
export interface GbdtTreeSettings {
  readonly maxLeafNodes: number;
  readonly maxDepth: number;
  readonly minSamplesLeaf: number;
  readonly l2: number;
  readonly learningRate: number;
  /** Number of outputs of the tree's leaves, and the one this tree writes (multiclass: class k of K). */
  readonly nOutputs: number;
  readonly outputIndex: number;
}

/** A grown tree plus where its leaves put each training row. */
export interface GbdtTree {
  readonly tree: TreeBuffer;
  /** Split bin of each internal node, for routing binned rows. */
  readonly splitBin: Int32Array;
  /** Leaf of each training row slice: `leafNodes[i]` covers `rows[leafStart[i] … leafEnd[i])`. */
  readonly leafNodes: number[];
  readonly leafStart: number[];
  readonly leafEnd: number[];
}

/** The two scikit-learn guards against degenerate children. */
const MIN_HESSIAN = 1e-3;
const HIST_BINS = 256;

interface Candidate {
  node: number;
  start: number;
  end: number;
  depth: number;
  sumG: number;
  sumH: number;
  hist: Float64Array | undefined;
  gain: number;
  feature: number;
  bin: number;
  leftG: number;
  leftH: number;
}

/** Reusable buffers across the trees of one boosting run. */
export interface GbdtWorkspace {
  readonly pool: Float64Array[];
  readonly orderedG: Float64Array;
  readonly orderedH: Float64Array;
}

/** Buffers for a training set of `nRows` rows. */
export function createGbdtWorkspace(nRows: number): GbdtWorkspace {
  return { pool: [], orderedG: new Float64Array(nRows), orderedH: new Float64Array(nRows) };
}

function takeHistogram(ws: GbdtWorkspace, size: number): Float64Array {
  const h = ws.pool.pop();
  if (h !== undefined) {
    h.fill(0);
    return h;
  }
  return new Float64Array(size);
}

function buildHistogram(
  binned: BinnedMatrix,
  rows: Int32Array,
  start: number,
  end: number,
  g: Float64Array,
  h: Float64Array,
  ws: GbdtWorkspace,
  hist: Float64Array,
  identity: boolean,
): void {
  const n = binned.nRows;
  const bins = binned.bins;
  const count = end - start;
  const nFeatures = binned.nFeatures;
  const stride = HIST_BINS * 3;
  let g0: Float64Array = g;
  let h0: Float64Array = h;
  if (!identity) {
    // Gather the node's gradients once so the per-feature loops read them in order.
    g0 = ws.orderedG;
    h0 = ws.orderedH;
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      g0[i - start] = g[r]!;
      h0[i - start] = h[r]!;
    }
  }
  // Two features per pass halve the loads of row indices and gradients.
  let f = 0;
  for (; f + 1 < nFeatures; f += 2) {
    const offA = f * n;
    const offB = offA + n;
    const hA = f * stride;
    const hB = hA + stride;
    for (let i = 0; i < count; i++) {
      const r = identity ? i : rows[start + i]!;
      const gi = g0[i]!;
      const hi = h0[i]!;
      const a = hA + bins[offA + r]! * 3;
      const b = hB + bins[offB + r]! * 3;
      hist[a]! += gi;
      hist[a + 1]! += hi;
      hist[a + 2]! += 1;
      hist[b]! += gi;
      hist[b + 1]! += hi;
      hist[b + 2]! += 1;
    }
  }
  if (f < nFeatures) {
    const off = f * n;
    const hBase = f * stride;
    for (let i = 0; i < count; i++) {
      const r = identity ? i : rows[start + i]!;
      const a = hBase + bins[off + r]! * 3;
      hist[a]! += g0[i]!;
      hist[a + 1]! += h0[i]!;
      hist[a + 2]! += 1;
    }
  }
}

function findBestSplit(c: Candidate, binned: BinnedMatrix, s: GbdtTreeSettings): void {
  const hist = c.hist!;
  const count = c.end - c.start;
  const l2 = s.l2;
  const parentScore = (c.sumG * c.sumG) / (c.sumH + l2);
  c.gain = 0;
  c.feature = -1;
  for (let f = 0; f < binned.nFeatures; f++) {
    const hBase = f * HIST_BINS * 3;
    const last = binned.nBins[f]! - 1;
    let gl = 0;
    let hl = 0;
    let nl = 0;
    for (let b = 0; b < last; b++) {
      const k = hBase + b * 3;
      gl += hist[k]!;
      hl += hist[k + 1]!;
      nl += hist[k + 2]!;
      if (nl < s.minSamplesLeaf) continue;
      if (count - nl < s.minSamplesLeaf) break;
      const hr = c.sumH - hl;
      if (hl < MIN_HESSIAN) continue;
      if (hr < MIN_HESSIAN) break;
      const gr = c.sumG - gl;
      const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parentScore;
      if (gain > c.gain) {
        c.gain = gain;
        c.feature = f;
        c.bin = b;
        c.leftG = gl;
        c.leftH = hl;
      }
    }
  }
}

function setLeafValue(tree: TreeBuffer, c: Candidate, s: GbdtTreeSettings): void {
  tree.value[c.node * s.nOutputs + s.outputIndex] = (-s.learningRate * c.sumG) / (c.sumH + s.l2 + 1e-15);
}

/**
 * Grows a tree fitting gradients `g` and hessians `h` of the rows listed in
 * `rows` (reordered in place); leaf values are already multiplied by the
 * learning rate.
 */
export function buildGbdtTree(
  binned: BinnedMatrix,
  rows: Int32Array,
  g: Float64Array,
  h: Float64Array,
  s: GbdtTreeSettings,
  ws: GbdtWorkspace,
): GbdtTree {
  const histSize = binned.nFeatures * HIST_BINS * 3;
  const tree = createTreeBuffer(s.nOutputs, 64);
  let splitBin = new Int32Array(64);
  const leafNodes: number[] = [];
  const leafStart: number[] = [];
  const leafEnd: number[] = [];

  let sumG = 0;
  let sumH = 0;
  for (let i = 0; i < rows.length; i++) {
    sumG += g[rows[i]!]!;
    sumH += h[rows[i]!]!;
  }
  const root: Candidate = {
    node: addLeaf(tree),
    start: 0,
    end: rows.length,
    depth: 0,
    sumG,
    sumH,
    hist: undefined,
    gain: 0,
    feature: -1,
    bin: 0,
    leftG: 0,
    leftH: 0,
  };
  const open: Candidate[] = [];
  const finish = (c: Candidate): void => {
    setLeafValue(tree, c, s);
    leafNodes.push(c.node);
    leafStart.push(c.start);
    leafEnd.push(c.end);
    if (c.hist !== undefined) ws.pool.push(c.hist);
    c.hist = undefined;
  };
  const canSplit = (c: Candidate): boolean => c.depth < s.maxDepth && c.end - c.start >= 2 * s.minSamplesLeaf;

  if (canSplit(root)) {
    root.hist = takeHistogram(ws, histSize);
    // Without a validation split the root holds every row in order.
    let identity = rows.length === binned.nRows;
    for (let i = 0; identity && i < rows.length; i++) identity = rows[i] === i;
    buildHistogram(binned, rows, 0, rows.length, g, h, ws, root.hist, identity);
    findBestSplit(root, binned, s);
  }
  if (root.feature >= 0) open.push(root);
  else finish(root);

  let nLeaves = 1;
  const n = binned.nRows;
  while (open.length > 0 && nLeaves < s.maxLeafNodes) {
    // Best gain first; on a tie the earliest candidate wins.
    let bestIndex = 0;
    for (let i = 1; i < open.length; i++) if (open[i]!.gain > open[bestIndex]!.gain) bestIndex = i;
    const c = open[bestIndex]!;
    open.splice(bestIndex, 1);

    const offset = c.feature * n;
    let i = c.start;
    let j = c.end - 1;
    while (i <= j) {
      if (binned.bins[offset + rows[i]!]! <= c.bin) i++;
      else {
        const tmp = rows[i]!;
        rows[i] = rows[j]!;
        rows[j] = tmp;
        j--;
      }
    }
    const mid = i;
    const leftNode = addLeaf(tree);
    const rightNode = addLeaf(tree);
    if (tree.feature.length > splitBin.length) {
      const next = new Int32Array(tree.feature.length);
      next.set(splitBin);
      splitBin = next;
    }
    tree.feature[c.node] = c.feature;
    tree.threshold[c.node] = binned.thresholds[c.feature]![c.bin]!;
    tree.left[c.node] = leftNode;
    tree.right[c.node] = rightNode;
    tree.gain[c.node] = c.gain;
    splitBin[c.node] = c.bin;
    // An internal node's value is the leaf value it would have had; ONNX ignores it.
    setLeafValue(tree, c, s);
    nLeaves++;

    const left: Candidate = {
      node: leftNode,
      start: c.start,
      end: mid,
      depth: c.depth + 1,
      sumG: c.leftG,
      sumH: c.leftH,
      hist: undefined,
      gain: 0,
      feature: -1,
      bin: 0,
      leftG: 0,
      leftH: 0,
    };
    const right: Candidate = {
      ...left,
      node: rightNode,
      start: mid,
      end: c.end,
      sumG: c.sumG - c.leftG,
      sumH: c.sumH - c.leftH,
    };
    const leftSplits = canSplit(left);
    const rightSplits = canSplit(right);
    if (leftSplits || rightSplits) {
      const parentHist = c.hist!;
      const smallIsLeft = mid - c.start <= c.end - mid;
      const small = smallIsLeft ? left : right;
      const large = smallIsLeft ? right : left;
      const smallHist = takeHistogram(ws, histSize);
      buildHistogram(binned, rows, small.start, small.end, g, h, ws, smallHist, false);
      for (let k = 0; k < histSize; k++) parentHist[k]! -= smallHist[k]!;
      small.hist = smallHist;
      large.hist = parentHist;
    } else if (c.hist !== undefined) ws.pool.push(c.hist);
    c.hist = undefined;
    for (const child of [left, right]) {
      if (child.hist !== undefined && canSplit(child)) findBestSplit(child, binned, s);
      if (child.feature >= 0) open.push(child);
      else finish(child);
    }
  }
  for (const c of open) finish(c);
  return { tree, splitBin, leafNodes, leafStart, leafEnd };
}
