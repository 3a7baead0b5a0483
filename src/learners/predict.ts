/**
 * One prediction function for every fitted model kind.
 *
 * Conventions (the ONNX graph and the server follow them too):
 * - Classification scores are class probabilities, one column per class;
 *   a model with one logistic output (binary) expands to `[1 − p, p]`.
 * - Regression scores are the predicted value, one column.
 * - The label is the argmax of the probabilities; on a tie the lowest class
 *   index wins.
 * - Trees compare `Math.fround(x) <= threshold`, as ONNX does in float32.
 */
import type { FeatureMatrix, FittedModel, LinearModel, PostTransform, TreeEnsembleModel } from "./model.js";

/** What a model predicts for a batch of rows. */
export interface Prediction {
  /** Row-major, `nRows × nOutputs`: class probabilities (nClasses columns) or the regression value. */
  readonly scores: Float64Array;
  /** Number of columns of `scores`. */
  readonly nOutputs: number;
  /** Predicted class index per row; `undefined` for regression. */
  readonly labels: Int32Array | undefined;
}

function checkShape(model: FittedModel, X: FeatureMatrix): void {
  if (X.columns.length !== model.nFeatures) {
    throw new RangeError(`the model expects ${model.nFeatures} feature columns, got ${X.columns.length}`);
  }
  for (let j = 0; j < X.columns.length; j++) {
    if (X.columns[j]!.length !== X.nRows) {
      throw new RangeError(
        `feature column ${j} ("${X.names[j] ?? ""}") has ${X.columns[j]!.length} values, expected ${X.nRows}`,
      );
    }
  }
}

/** Raw ensemble outputs before the post-transform: averaged or summed leaves plus the base score. */
export function computeEnsembleRaw(model: TreeEnsembleModel, X: FeatureMatrix): Float64Array {
  const n = X.nRows;
  const nOut = model.baseScore.length;
  const raw = new Float64Array(n * nOut);
  // Float32 copies make every comparison the float32 comparison ONNX makes.
  const columns = X.columns.map((c) => Float32Array.from(c));
  for (const tree of model.trees) {
    const { feature, threshold, left, right, value } = tree;
    const treeOut = tree.nOutputs;
    if (treeOut !== nOut) throw new RangeError(`a tree has ${treeOut} outputs, the model ${nOut}`);
    for (let i = 0; i < n; i++) {
      let node = 0;
      let f = feature[0]!;
      while (f >= 0) {
        node = columns[f]![i]! <= threshold[node]! ? left[node]! : right[node]!;
        f = feature[node]!;
      }
      const vBase = node * treeOut;
      const rBase = i * nOut;
      for (let k = 0; k < nOut; k++) raw[rBase + k]! += value[vBase + k]!;
    }
  }
  if (model.aggregation === "average" && model.trees.length > 0) {
    const scale = 1 / model.trees.length;
    for (let i = 0; i < raw.length; i++) raw[i]! *= scale;
  }
  for (let i = 0; i < n; i++) for (let k = 0; k < nOut; k++) raw[i * nOut + k]! += model.baseScore[k]!;
  return raw;
}

/** Raw linear outputs `intercept + Σ coefficient · x`. */
export function computeLinearRaw(model: LinearModel, X: FeatureMatrix): Float64Array {
  const n = X.nRows;
  const p = model.nFeatures;
  const nOut = model.intercepts.length;
  const raw = new Float64Array(n * nOut);
  for (let k = 0; k < nOut; k++) {
    const b = model.intercepts[k]!;
    for (let i = 0; i < n; i++) raw[i * nOut + k] = b;
    for (let j = 0; j < p; j++) {
      const c = model.coefficients[k * p + j]!;
      if (c === 0) continue;
      const col = X.columns[j]!;
      for (let i = 0; i < n; i++) raw[i * nOut + k]! += c * col[i]!;
    }
  }
  return raw;
}

/** Applies the post-transform; one logistic output becomes two probability columns. */
export function applyPostTransform(
  raw: Float64Array,
  nRows: number,
  nOut: number,
  transform: PostTransform,
): { scores: Float64Array; nOutputs: number } {
  if (transform === "logistic" && nOut === 1) {
    const scores = new Float64Array(nRows * 2);
    for (let i = 0; i < nRows; i++) {
      const p = 1 / (1 + Math.exp(-raw[i]!));
      scores[2 * i] = 1 - p;
      scores[2 * i + 1] = p;
    }
    return { scores, nOutputs: 2 };
  }
  if (transform === "logistic") {
    const scores = new Float64Array(raw.length);
    for (let i = 0; i < raw.length; i++) scores[i] = 1 / (1 + Math.exp(-raw[i]!));
    return { scores, nOutputs: nOut };
  }
  if (transform === "softmax") {
    const scores = new Float64Array(raw.length);
    for (let i = 0; i < nRows; i++) {
      const base = i * nOut;
      let max = -Infinity;
      for (let k = 0; k < nOut; k++) max = Math.max(max, raw[base + k]!);
      let sum = 0;
      for (let k = 0; k < nOut; k++) {
        const e = Math.exp(raw[base + k]! - max);
        scores[base + k] = e;
        sum += e;
      }
      for (let k = 0; k < nOut; k++) scores[base + k]! /= sum;
    }
    return { scores, nOutputs: nOut };
  }
  return { scores: raw, nOutputs: nOut };
}

/** Index of the largest score in each row; the lowest index wins a tie. */
export function computeArgmax(scores: Float64Array, nRows: number, nOut: number): Int32Array {
  const labels = new Int32Array(nRows);
  for (let i = 0; i < nRows; i++) {
    const base = i * nOut;
    let best = 0;
    let bestScore = scores[base]!;
    for (let k = 1; k < nOut; k++) {
      // Strictly greater: an equal later class never displaces an earlier one.
      if (scores[base + k]! > bestScore) {
        bestScore = scores[base + k]!;
        best = k;
      }
    }
    labels[i] = best;
  }
  return labels;
}

/** Predicts scores (and labels for classifiers) for every row of `X`. */
export function predictModel(model: FittedModel, X: FeatureMatrix): Prediction {
  checkShape(model, X);
  const raw = model.kind === "tree_ensemble" ? computeEnsembleRaw(model, X) : computeLinearRaw(model, X);
  const nRaw = model.kind === "tree_ensemble" ? model.baseScore.length : model.intercepts.length;
  const { scores, nOutputs } = applyPostTransform(raw, X.nRows, nRaw, model.postTransform);
  const labels = model.task === "classification" ? computeArgmax(scores, X.nRows, nOutputs) : undefined;
  return { scores, nOutputs, labels };
}
