/**
 * `gradient_boosting`: histogram gradient-boosted trees in the manner of
 * scikit-learn's HistGradientBoostingClassifier/Regressor — binary log-loss
 * (one logit output), multiclass softmax (one tree per class and iteration)
 * and squared error; leaf-wise trees; optional early stopping on a seeded,
 * stratified validation split.
 */
import { createRandom, shuffleInPlace } from "../common/random.js";
import { buildBinnedMatrix, MAX_BINS, type BinnedMatrix } from "./binning.js";
import {
  listLearnerParams,
  readBoostingRounds,
  type GradientBoostingParams,
} from "../config/learner-params.js";
import { checkKnownParams } from "./forest.js";
import { buildGbdtTree, createGbdtWorkspace, type GbdtTree, type GbdtWorkspace } from "./gbdt-builder.js";
import type { FeatureMatrix, TreeArrays, TreeEnsembleModel } from "./model.js";
import {
  checkBoolean,
  checkInteger,
  checkNumber,
  checkOptionalLimit,
  checkTrainingData,
  LearnerParamError,
  type FitContext,
} from "./params.js";
import { finishTree } from "./tree-storage.js";

const KEYS = listLearnerParams("gradient_boosting");

/** scikit-learn's tolerance when comparing validation scores. */
const TOLERANCE = 1e-7;
/** Probabilities are clipped away from 0 and 1 in the baseline and the loss. */
const EPS = 1e-15;

/** The loss a run minimises: squared error, binary or multiclass log loss. */
type LossKind = "binary" | "multiclass" | "regression";

interface Settings {
  learningRate: number;
  nEstimators: number;
  maxLeafNodes: number;
  maxDepth: number;
  minSamplesLeaf: number;
  l2: number;
  earlyStopping: boolean;
  validationFraction: number;
  nIterNoChange: number;
  maxBins: number;
}

function checkParams(params: GradientBoostingParams): Settings {
  checkKnownParams(params, KEYS, "gradient_boosting");
  if (
    params.max_iter !== undefined &&
    params.n_estimators !== undefined &&
    params.max_iter !== params.n_estimators
  )
    throw new LearnerParamError(
      "max_iter",
      params.max_iter,
      `n_estimators' value ${params.n_estimators} (max_iter is scikit-learn's name for n_estimators; give one of them)`,
    );
  const maxLeafNodes = checkOptionalLimit(
    "max_leaf_nodes",
    params.max_leaf_nodes === undefined ? 31 : params.max_leaf_nodes,
    2,
  );
  return {
    learningRate: checkNumber("learning_rate", params.learning_rate ?? 0.1, 0, Infinity, true),
    nEstimators: checkInteger("n_estimators", readBoostingRounds(params) ?? 100, 1, 1_000_000),
    maxLeafNodes,
    maxDepth: checkOptionalLimit("max_depth", params.max_depth, 1),
    minSamplesLeaf: checkInteger("min_samples_leaf", params.min_samples_leaf ?? 20, 1),
    l2: checkNumber("l2_regularization", params.l2_regularization ?? 0, 0, Infinity),
    earlyStopping: checkBoolean("early_stopping", params.early_stopping ?? false),
    validationFraction: checkNumber("validation_fraction", params.validation_fraction ?? 0.1, 0, 1, true),
    nIterNoChange: checkInteger("n_iter_no_change", params.n_iter_no_change ?? 10, 1),
    maxBins: checkInteger("max_bins", params.max_bins ?? MAX_BINS, 2, MAX_BINS),
  };
}

/**
 * Splits rows into training and validation, stratified by class for
 * classification, so each class keeps its share in both parts.
 */
function splitValidation(
  y: Float64Array,
  classification: boolean,
  nClasses: number,
  fraction: number,
  seed: number,
): { train: Int32Array; valid: Int32Array } {
  const n = y.length;
  const random = createRandom(seed).fork(0x7a11d);
  const groups: number[][] = classification ? Array.from({ length: nClasses }, () => []) : [[]];
  for (let i = 0; i < n; i++) groups[classification ? y[i]! : 0]!.push(i);
  const valid: number[] = [];
  const train: number[] = [];
  for (const group of groups) {
    const rows = shuffleInPlace(Int32Array.from(group), random);
    const nValid = Math.min(rows.length - 1, Math.round(fraction * rows.length));
    for (let i = 0; i < rows.length; i++) (i < nValid ? valid : train).push(rows[i]!);
  }
  if (valid.length === 0 || train.length === 0) {
    throw new RangeError(
      `validation_fraction ${fraction} leaves no validation or no training rows out of ${n}`,
    );
  }
  train.sort((a, b) => a - b);
  valid.sort((a, b) => a - b);
  return { train: Int32Array.from(train), valid: Int32Array.from(valid) };
}

/** Routes binned rows through a tree and adds the leaf outputs to `raw`. */
function addTreeToRows(
  grown: GbdtTree,
  binned: BinnedMatrix,
  rows: Int32Array,
  raw: Float64Array,
  nOut: number,
  k: number,
): void {
  const { feature, left, right, value } = grown.tree;
  const n = binned.nRows;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    let node = 0;
    let f = feature[0]!;
    while (f >= 0) {
      node = binned.bins[f * n + r]! <= grown.splitBin[node]! ? left[node]! : right[node]!;
      f = feature[node]!;
    }
    raw[r * nOut + k]! += value[node * nOut + k]!;
  }
}

/** Mean loss (log-loss, cross-entropy or half squared error) over some rows. */
function computeLoss(
  raw: Float64Array,
  y: Float64Array,
  rows: Int32Array,
  nOut: number,
  kind: LossKind,
): number {
  let total = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (kind === "regression") {
      const d = raw[r]! - y[r]!;
      total += 0.5 * d * d;
    } else if (kind === "binary") {
      const z = raw[r]!;
      // log(1 + e^z) − y·z, written to avoid overflow.
      total += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y[r]! * z;
    } else {
      const base = r * nOut;
      let max = -Infinity;
      for (let k = 0; k < nOut; k++) max = Math.max(max, raw[base + k]!);
      let sum = 0;
      for (let k = 0; k < nOut; k++) sum += Math.exp(raw[base + k]! - max);
      total += max + Math.log(sum) - raw[base + y[r]!]!;
    }
  }
  return total / rows.length;
}

/** Training and validation rows: a stratified split for early stopping, else every row for training. */
function splitTrainingRows(
  y: Float64Array,
  s: Settings,
  context: FitContext,
): { train: Int32Array; valid: Int32Array } {
  if (!s.earlyStopping)
    return { train: Int32Array.from({ length: y.length }, (_, i) => i), valid: new Int32Array(0) };
  const classification = context.task === "classification";
  return splitValidation(y, classification, context.nClasses, s.validationFraction, context.seed);
}

/** The baseline from the training rows: mean, log-odds, or log class priors. */
function computeBaseScore(
  y: Float64Array,
  trainRows: Int32Array,
  nOut: number,
  kind: LossKind,
): Float64Array {
  const nTrain = trainRows.length;
  const baseScore = new Float64Array(nOut);
  if (kind === "regression") {
    let sum = 0;
    for (let i = 0; i < nTrain; i++) sum += y[trainRows[i]!]!;
    baseScore[0] = sum / nTrain;
  } else if (kind === "binary") {
    let pos = 0;
    for (let i = 0; i < nTrain; i++) pos += y[trainRows[i]!]!;
    const p = Math.min(Math.max(pos / nTrain, EPS), 1 - EPS);
    baseScore[0] = Math.log(p / (1 - p));
  } else {
    const counts = new Float64Array(nOut);
    for (let i = 0; i < nTrain; i++) counts[y[trainRows[i]!]!]!++;
    for (let k = 0; k < nOut; k++) baseScore[k] = Math.log(Math.max(counts[k]! / nTrain, EPS));
  }
  return baseScore;
}

/** Softmax of the raw scores of the training rows, into `prob` (multiclass). */
function computeSoftmax(raw: Float64Array, prob: Float64Array, trainRows: Int32Array, nOut: number): void {
  for (let i = 0; i < trainRows.length; i++) {
    const base = trainRows[i]! * nOut;
    let max = -Infinity;
    for (let k = 0; k < nOut; k++) max = Math.max(max, raw[base + k]!);
    let sum = 0;
    for (let k = 0; k < nOut; k++) {
      const e = Math.exp(raw[base + k]! - max);
      prob[base + k] = e;
      sum += e;
    }
    for (let k = 0; k < nOut; k++) prob[base + k]! /= sum;
  }
}

/** Buffers one boosting run shares across its iterations. */
interface BoostingBuffers {
  readonly kind: LossKind;
  readonly nOut: number;
  readonly y: Float64Array;
  readonly trainRows: Int32Array;
  readonly validRows: Int32Array;
  /** Raw scores, row-major `n × nOut`. */
  readonly raw: Float64Array;
  readonly g: Float64Array;
  readonly h: Float64Array;
  /** Class probabilities of the training rows (multiclass only). */
  readonly prob: Float64Array;
  /** The training rows, reordered by each tree. */
  readonly rows: Int32Array;
  readonly ws: GbdtWorkspace;
}

/** Gradients and hessians of output `k` at the training rows (squared error, or log loss). */
function computeGradients(b: BoostingBuffers, k: number): void {
  const { kind, trainRows, raw, y, g, h, prob, nOut } = b;
  for (let i = 0; i < trainRows.length; i++) {
    const r = trainRows[i]!;
    if (kind === "regression") g[r] = raw[r]! - y[r]!;
    else if (kind === "binary") {
      const p = 1 / (1 + Math.exp(-raw[r]!));
      g[r] = p - y[r]!;
      h[r] = p * (1 - p);
    } else {
      const p = prob[r * nOut + k]!;
      g[r] = p - (y[r] === k ? 1 : 0);
      h[r] = p * (1 - p);
    }
  }
}

/** Grows the tree of output `k` and adds it to the raw scores of training and validation rows. */
function growOutputTree(b: BoostingBuffers, binned: BinnedMatrix, s: Settings, k: number): TreeArrays {
  const { rows, raw, nOut } = b;
  computeGradients(b, k);
  rows.set(b.trainRows);
  const grown = buildGbdtTree(
    binned,
    rows,
    b.g,
    b.h,
    {
      maxLeafNodes: s.maxLeafNodes,
      maxDepth: s.maxDepth,
      minSamplesLeaf: s.minSamplesLeaf,
      l2: s.l2,
      learningRate: s.learningRate,
      nOutputs: nOut,
      outputIndex: k,
    },
    b.ws,
  );
  // Training rows take their leaf's value straight from the partition.
  const value = grown.tree.value;
  for (let l = 0; l < grown.leafNodes.length; l++) {
    const v = value[grown.leafNodes[l]! * nOut + k]!;
    for (let i = grown.leafStart[l]!, e = grown.leafEnd[l]!; i < e; i++) raw[rows[i]! * nOut + k]! += v;
  }
  if (b.validRows.length > 0) addTreeToRows(grown, binned, b.validRows, raw, nOut, k);
  return finishTree(grown.tree);
}

/** scikit-learn's rule: stop when none of the last `nIterNoChange` scores beat the one before them by the tolerance. */
function shouldStopEarly(scores: readonly number[], nIterNoChange: number): boolean {
  if (scores.length <= nIterNoChange) return false;
  const reference = scores[scores.length - nIterNoChange - 1]! + TOLERANCE;
  for (let t = scores.length - nIterNoChange; t < scores.length; t++)
    if (scores[t]! > reference) return false;
  return true;
}

/**
 * Fits a histogram gradient-boosting model. Binary classification has one
 * output (the positive class's logit, `postTransform: "logistic"`),
 * multiclass one per class (`"softmax"`), regression one value. The baseline
 * is the log-odds / log class priors / mean of the training targets.
 */
export async function fitGradientBoosting(
  X: FeatureMatrix,
  y: Float64Array,
  params: GradientBoostingParams,
  context: FitContext,
): Promise<TreeEnsembleModel> {
  await Promise.resolve();
  const s = checkParams(params);
  const nFeatures = X.columns.length;
  const n = X.nRows;
  const classification = context.task === "classification";
  checkTrainingData(n, nFeatures, X.columns, y, context.task, context.nClasses);
  const kind: LossKind = !classification ? "regression" : context.nClasses === 2 ? "binary" : "multiclass";
  const nOut = kind === "multiclass" ? context.nClasses : 1;

  const { train: trainRows, valid: validRows } = splitTrainingRows(y, s, context);
  const binned = buildBinnedMatrix(X, s.maxBins, s.earlyStopping ? trainRows : undefined);
  const nTrain = trainRows.length;
  const baseScore = computeBaseScore(y, trainRows, nOut, kind);
  const raw = new Float64Array(n * nOut);
  for (let i = 0; i < n; i++) for (let k = 0; k < nOut; k++) raw[i * nOut + k] = baseScore[k]!;
  const buffers: BoostingBuffers = {
    kind,
    nOut,
    y,
    trainRows,
    validRows,
    raw,
    g: new Float64Array(n),
    h: new Float64Array(n).fill(1),
    prob: kind === "multiclass" ? new Float64Array(n * nOut) : new Float64Array(0),
    rows: new Int32Array(nTrain),
    ws: createGbdtWorkspace(nTrain),
  };

  const trees: TreeArrays[] = [];
  const scores: number[] = [];
  if (s.earlyStopping) scores.push(-computeLoss(raw, y, validRows, nOut, kind));
  for (let iter = 0; iter < s.nEstimators; iter++) {
    if (kind === "multiclass") computeSoftmax(raw, buffers.prob, trainRows, nOut);
    for (let k = 0; k < nOut; k++) trees.push(growOutputTree(buffers, binned, s, k));
    if (s.earlyStopping) {
      scores.push(-computeLoss(raw, y, validRows, nOut, kind));
      if (shouldStopEarly(scores, s.nIterNoChange)) break;
    }
  }
  return {
    kind: "tree_ensemble",
    task: context.task,
    trees,
    aggregation: "sum",
    baseScore,
    postTransform: kind === "binary" ? "logistic" : kind === "multiclass" ? "softmax" : "none",
    nFeatures,
    nClasses: classification ? context.nClasses : 1,
  };
}
