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
import { partitionRowsByBin, type BinnedMatrix } from "./binning.js";
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

/** One tree being grown: its inputs, its buffers and the leaves still open to splitting. */
interface GbdtGrowth {
  readonly binned: BinnedMatrix;
  readonly rows: Int32Array;
  readonly g: Float64Array;
  readonly h: Float64Array;
  readonly s: GbdtTreeSettings;
  readonly ws: GbdtWorkspace;
  readonly histSize: number;
  readonly tree: TreeBuffer;
  splitBin: Int32Array;
  readonly leafNodes: number[];
  readonly leafStart: number[];
  readonly leafEnd: number[];
  readonly open: Candidate[];
}

function createCandidate(
  node: number,
  start: number,
  end: number,
  depth: number,
  sumG: number,
  sumH: number,
): Candidate {
  return {
    node,
    start,
    end,
    depth,
    sumG,
    sumH,
    hist: undefined,
    gain: 0,
    feature: -1,
    bin: 0,
    leftG: 0,
    leftH: 0,
  };
}

function canSplit(s: GbdtTreeSettings, c: Candidate): boolean {
  return c.depth < s.maxDepth && c.end - c.start >= 2 * s.minSamplesLeaf;
}

/** Makes a candidate a final leaf and returns its histogram to the pool. */
function finishLeaf(t: GbdtGrowth, c: Candidate): void {
  setLeafValue(t.tree, c, t.s);
  t.leafNodes.push(c.node);
  t.leafStart.push(c.start);
  t.leafEnd.push(c.end);
  if (c.hist !== undefined) t.ws.pool.push(c.hist);
  c.hist = undefined;
}

/** A candidate with a split goes to the open list; one without becomes a leaf. */
function queueOrFinish(t: GbdtGrowth, c: Candidate): void {
  if (c.feature >= 0) t.open.push(c);
  else finishLeaf(t, c);
}

/** The root over every row, with its histogram and best split when it may split. */
function growRoot(t: GbdtGrowth): void {
  const { rows, g, h, binned } = t;
  let sumG = 0;
  let sumH = 0;
  for (let i = 0; i < rows.length; i++) {
    sumG += g[rows[i]!]!;
    sumH += h[rows[i]!]!;
  }
  const root = createCandidate(addLeaf(t.tree), 0, rows.length, 0, sumG, sumH);
  if (canSplit(t.s, root)) {
    root.hist = takeHistogram(t.ws, t.histSize);
    // Without a validation split the root holds every row in order.
    let identity = rows.length === binned.nRows;
    for (let i = 0; identity && i < rows.length; i++) identity = rows[i] === i;
    buildHistogram(binned, rows, 0, rows.length, g, h, t.ws, root.hist, identity);
    findBestSplit(root, binned, t.s);
  }
  queueOrFinish(t, root);
}

/** Removes and returns the open candidate with the best gain; on a tie the earliest wins. */
function takeBestCandidate(open: Candidate[]): Candidate {
  let bestIndex = 0;
  for (let i = 1; i < open.length; i++) if (open[i]!.gain > open[bestIndex]!.gain) bestIndex = i;
  const c = open[bestIndex]!;
  open.splice(bestIndex, 1);
  return c;
}

/** Partitions the candidate's rows in place, left rows first; returns where the right ones start. */
function partitionRows(t: GbdtGrowth, c: Candidate): number {
  const { rows, binned } = t;
  return partitionRowsByBin(rows, binned.bins, c.feature * binned.nRows, c.start, c.end, c.bin);
}

/** Writes the candidate's split into the tree and returns its two new leaves. */
function writeSplit(t: GbdtGrowth, c: Candidate): [number, number] {
  const { tree, binned } = t;
  const leftNode = addLeaf(tree);
  const rightNode = addLeaf(tree);
  if (tree.feature.length > t.splitBin.length) {
    const next = new Int32Array(tree.feature.length);
    next.set(t.splitBin);
    t.splitBin = next;
  }
  tree.feature[c.node] = c.feature;
  tree.threshold[c.node] = binned.thresholds[c.feature]![c.bin]!;
  tree.left[c.node] = leftNode;
  tree.right[c.node] = rightNode;
  tree.gain[c.node] = c.gain;
  t.splitBin[c.node] = c.bin;
  // An internal node's value is the leaf value it would have had; ONNX ignores it.
  setLeafValue(tree, c, t.s);
  return [leftNode, rightNode];
}

/**
 * Gives the children histograms when either may split: the smaller child's
 * is built from its rows, the larger one's is the parent's minus it.
 */
function assignChildHistograms(t: GbdtGrowth, parent: Candidate, left: Candidate, right: Candidate): void {
  if (canSplit(t.s, left) || canSplit(t.s, right)) {
    const parentHist = parent.hist!;
    const smallIsLeft = left.end - left.start <= right.end - right.start;
    const small = smallIsLeft ? left : right;
    const large = smallIsLeft ? right : left;
    const smallHist = takeHistogram(t.ws, t.histSize);
    buildHistogram(t.binned, t.rows, small.start, small.end, t.g, t.h, t.ws, smallHist, false);
    for (let k = 0; k < t.histSize; k++) parentHist[k]! -= smallHist[k]!;
    small.hist = smallHist;
    large.hist = parentHist;
  } else if (parent.hist !== undefined) t.ws.pool.push(parent.hist);
  parent.hist = undefined;
}

/** Splits one open candidate and queues or finishes its two children. */
function splitCandidate(t: GbdtGrowth, c: Candidate): void {
  const mid = partitionRows(t, c);
  const [leftNode, rightNode] = writeSplit(t, c);
  const left = createCandidate(leftNode, c.start, mid, c.depth + 1, c.leftG, c.leftH);
  const right = createCandidate(rightNode, mid, c.end, c.depth + 1, c.sumG - c.leftG, c.sumH - c.leftH);
  assignChildHistograms(t, c, left, right);
  for (const child of [left, right]) {
    if (child.hist !== undefined && canSplit(t.s, child)) findBestSplit(child, t.binned, t.s);
    queueOrFinish(t, child);
  }
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
  const t: GbdtGrowth = {
    binned,
    rows,
    g,
    h,
    s,
    ws,
    histSize: binned.nFeatures * HIST_BINS * 3,
    tree: createTreeBuffer(s.nOutputs, 64),
    splitBin: new Int32Array(64),
    leafNodes: [],
    leafStart: [],
    leafEnd: [],
    open: [],
  };
  growRoot(t);
  let nLeaves = 1;
  while (t.open.length > 0 && nLeaves < s.maxLeafNodes) {
    splitCandidate(t, takeBestCandidate(t.open));
    nLeaves++;
  }
  for (const c of t.open) finishLeaf(t, c);
  return {
    tree: t.tree,
    splitBin: t.splitBin,
    leafNodes: t.leafNodes,
    leafStart: t.leafStart,
    leafEnd: t.leafEnd,
  };
}
