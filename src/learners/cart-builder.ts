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
import type { BinnedMatrix } from "./binning.js";
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

/** Grows a tree; classifier leaves hold class probabilities, regressor leaves the weighted mean. */
export function buildCartTree(input: CartInput): TreeArrays {
  const { binned, nClasses, yClass, yValue, weights, rows, maxDepth, minSamplesLeaf, maxFeatures, random } =
    input;
  const classification = nClasses > 0;
  const nRowsAll = binned.nRows;
  const nFeatures = binned.nFeatures;
  const bins = binned.bins;
  // Per-node statistics: class weights (K) or [Σw, Σwy, Σwy²], then the row count.
  const nStats = classification ? nClasses : 3;
  const stride = nStats + 1;
  const nOutputs = classification ? nClasses : 1;
  const tree = createTreeBuffer(nOutputs, 256);

  const hist = new Float64Array(256 * stride);
  const leftAcc = new Float64Array(stride);
  const bestLeft = new Float64Array(stride);
  const featureOrder = new Int32Array(nFeatures);
  for (let j = 0; j < nFeatures; j++) featureOrder[j] = j;

  // Node statistics live in a growable array indexed by node id.
  let stats = new Float64Array(256 * stride);
  // Stack of pending nodes: id, start, end, depth.
  let stack = new Int32Array(4 * 64);
  let top = 0;

  const root = addLeaf(tree);
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
  stack[0] = root;
  stack[1] = 0;
  stack[2] = rows.length;
  stack[3] = 0;
  top = 1;

  while (top > 0) {
    top--;
    const node = stack[4 * top]!;
    const start = stack[4 * top + 1]!;
    const end = stack[4 * top + 2]!;
    const depth = stack[4 * top + 3]!;
    const sBase = node * stride;
    const count = end - start;

    // Node totals, impurity and leaf value.
    let totalW = 0;
    let sumSq = 0;
    let impurity = 0;
    const vBase = node * nOutputs;
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
    const parentProxy = classification ? (totalW > 0 ? sumSq / totalW : 0) : sumSq;
    if (depth >= maxDepth || count < 2 * minSamplesLeaf || count < 2 || impurity <= PURE || totalW <= 0)
      continue;

    // Find the best split among up to maxFeatures non-constant features.
    let bestProxy = -Infinity;
    let bestFeature = -1;
    let bestBin = -1;
    let visited = 0;
    for (let fi = 0; fi < nFeatures && visited < maxFeatures; fi++) {
      const pick = fi + random.int(nFeatures - fi);
      const f = featureOrder[pick]!;
      featureOrder[pick] = featureOrder[fi]!;
      featureOrder[fi] = f;

      const offset = f * nRowsAll;
      let minBin = 255;
      let maxBin = 0;
      if (classification) {
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
      if (minBin === maxBin) {
        for (let s = minBin * stride, e = (maxBin + 1) * stride; s < e; s++) hist[s] = 0;
        continue;
      }
      visited++;
      leftAcc.fill(0);
      for (let b = minBin; b < maxBin; b++) {
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
        if (proxy > bestProxy) {
          bestProxy = proxy;
          bestFeature = f;
          bestBin = b;
          bestLeft.set(leftAcc);
        }
      }
      for (let b = minBin; b <= maxBin; b++) {
        const h = b * stride;
        if (hist[h + nStats] === 0) continue;
        for (let s = 0; s < stride; s++) hist[h + s] = 0;
      }
    }
    // A split must lower the impurity; ties and rounding noise make a leaf.
    const gain = bestProxy - parentProxy;
    if (bestFeature < 0 || !(gain > PURE * parentProxy)) continue;

    // Partition the node's rows in place: left rows first.
    const offset = bestFeature * nRowsAll;
    let i = start;
    let j = end - 1;
    while (i <= j) {
      if (bins[offset + rows[i]!]! <= bestBin) i++;
      else {
        const tmp = rows[i]!;
        rows[i] = rows[j]!;
        rows[j] = tmp;
        j--;
      }
    }
    const mid = i;
    const leftId = addLeaf(tree);
    const rightId = addLeaf(tree);
    tree.feature[node] = bestFeature;
    tree.threshold[node] = binned.thresholds[bestFeature]![bestBin]!;
    tree.left[node] = leftId;
    tree.right[node] = rightId;
    tree.gain[node] = gain;
    if ((rightId + 1) * stride > stats.length) {
      const next = new Float64Array(stats.length * 2);
      next.set(stats);
      stats = next;
    }
    const lBase = leftId * stride;
    const rBase = rightId * stride;
    for (let s = 0; s < stride; s++) {
      stats[lBase + s] = bestLeft[s]!;
      stats[rBase + s] = stats[sBase + s]! - bestLeft[s]!;
    }
    if (4 * (top + 2) > stack.length) {
      const next = new Int32Array(stack.length * 2);
      next.set(stack);
      stack = next;
    }
    // Push right first so the left subtree is grown first.
    stack[4 * top] = rightId;
    stack[4 * top + 1] = mid;
    stack[4 * top + 2] = end;
    stack[4 * top + 3] = depth + 1;
    top++;
    stack[4 * top] = leftId;
    stack[4 * top + 1] = start;
    stack[4 * top + 2] = mid;
    stack[4 * top + 3] = depth + 1;
    top++;
  }
  return finishTree(tree);
}
