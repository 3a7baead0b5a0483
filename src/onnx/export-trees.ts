/**
 * Writes a {@link TreeEnsembleModel} as `TreeEnsembleClassifier` or
 * `TreeEnsembleRegressor` (ai.onnx.ml opset 3).
 *
 * onnxruntime's classifier has rules of its own that decide labels and
 * probabilities; each choice below is there to make it agree with the
 * TypeScript model:
 * - Thresholds are float32 and compared with `BRANCH_LEQ`. A threshold that
 *   is not a float32 value is rounded *down*, which keeps `x <= t` unchanged
 *   for every float32 `x`.
 * - The classifier always sums leaf weights, so an averaged forest divides
 *   its leaf probabilities by the number of trees.
 * - With more than two classes every leaf writes a weight for every class,
 *   so each class "has a score" and argmax breaks ties towards the lowest
 *   class index (onnxruntime takes the first strict maximum).
 * - Two classes: onnxruntime reads a single class column (class id 0) plus
 *   one base value as the positive score. Weights on both classes make it
 *   label every row positive, so only one column is written.
 *   All-non-negative weights select its "probability" mode (`p > 0.5`,
 *   output `[1 - p, p]`); any negative weight selects its "margin" mode
 *   (`s > 0`, output `[σ(-s), σ(s)]` with LOGISTIC). A boosted binary model
 *   must be in margin mode even when all its leaves happen to be positive, so
 *   one leaf gets an extra weight of -2⁻¹²⁶: the smallest normal float32,
 *   which vanishes when added to any score of practical size.
 */
import { OnnxError } from "../common/errors.js";
import type { PostTransform, TreeArrays, TreeEnsembleModel } from "../learners/model.js";
import type { OnnxAttribute, OnnxNode } from "./onnx-model.js";
import type { ClassLabels } from "./class-labels.js";
import { classLabelAttribute } from "./class-labels.js";

/** The tiny negative weight that switches onnxruntime's binary classifier to margin mode. */
export const MARGIN_MODE_WEIGHT = -(2 ** -126);

/** ONNX names of the post transforms. */
export const POST_TRANSFORM_NAMES = {
  none: "NONE",
  logistic: "LOGISTIC",
  softmax: "SOFTMAX",
} as const satisfies Record<PostTransform, string>;

/** Largest float32 value not above `t`, so `x <= t` ⇔ `x <= result` for float32 `x`. */
export function roundThresholdDown(t: number): number {
  const f = Math.fround(t);
  if (f <= t) return f;
  // Step one float32 ulp towards -∞ by adjusting the bit pattern.
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, f);
  const bits = view.getInt32(0);
  if (f > 0) view.setInt32(0, bits - 1);
  else if (f < 0) view.setInt32(0, bits + 1);
  else view.setUint32(0, 0x80000001); // just below zero
  return view.getFloat32(0);
}

interface NodeArrays {
  treeIds: number[];
  nodeIds: number[];
  featureIds: number[];
  modes: string[];
  values: number[];
  trueIds: number[];
  falseIds: number[];
}

/** Checks one tree's arrays and appends its nodes; returns the leaves in node order. */
function appendTree(
  out: NodeArrays,
  tree: TreeArrays,
  t: number,
  nFeatures: number,
  nOutputs: number,
): number[] {
  const n = tree.feature.length;
  const where = `tree ${t}`;
  if (tree.nOutputs !== nOutputs) {
    throw new OnnxError(
      `cannot export ${where}: it has ${tree.nOutputs} outputs per leaf, expected ${nOutputs}`,
    );
  }
  if (
    n === 0 ||
    tree.threshold.length !== n ||
    tree.left.length !== n ||
    tree.right.length !== n ||
    tree.value.length < n * nOutputs
  ) {
    throw new OnnxError(`cannot export ${where}: its arrays are empty or of different lengths`);
  }
  const leaves: number[] = [];
  for (let i = 0; i < n; i++) {
    const feature = tree.feature[i]!;
    out.treeIds.push(t);
    out.nodeIds.push(i);
    if (feature === -1) {
      for (let k = 0; k < nOutputs; k++) {
        const v = tree.value[i * nOutputs + k]!;
        if (!Number.isFinite(v)) throw new OnnxError(`cannot export ${where}: leaf ${i} output ${k} is ${v}`);
      }
      leaves.push(i);
      out.featureIds.push(0);
      out.modes.push("LEAF");
      out.values.push(0);
      out.trueIds.push(0);
      out.falseIds.push(0);
      continue;
    }
    const left = tree.left[i]!;
    const right = tree.right[i]!;
    const threshold = tree.threshold[i]!;
    if (feature < 0 || feature >= nFeatures) {
      throw new OnnxError(
        `cannot export ${where}: node ${i} splits on feature ${feature}, the model has ${nFeatures}`,
      );
    }
    if (left <= 0 || left >= n || right <= 0 || right >= n) {
      throw new OnnxError(
        `cannot export ${where}: node ${i} has children ${left}/${right} outside 1…${n - 1}`,
      );
    }
    if (Number.isNaN(threshold)) throw new OnnxError(`cannot export ${where}: node ${i} has a NaN threshold`);
    out.featureIds.push(feature);
    out.modes.push("BRANCH_LEQ");
    out.values.push(roundThresholdDown(threshold));
    out.trueIds.push(left);
    out.falseIds.push(right);
  }
  return leaves;
}

function nodeAttributes(nodes: NodeArrays): OnnxAttribute[] {
  return [
    { name: "nodes_treeids", type: "ints", value: nodes.treeIds },
    { name: "nodes_nodeids", type: "ints", value: nodes.nodeIds },
    { name: "nodes_featureids", type: "ints", value: nodes.featureIds },
    { name: "nodes_modes", type: "strings", value: nodes.modes },
    { name: "nodes_values", type: "floats", value: nodes.values },
    { name: "nodes_truenodeids", type: "ints", value: nodes.trueIds },
    { name: "nodes_falsenodeids", type: "ints", value: nodes.falseIds },
  ];
}

/** Where the ensemble's result goes. */
export interface TreeOutputs {
  readonly label: string;
  readonly probabilities: string;
  readonly prediction: string;
}

/** How leaf outputs become onnxruntime class weights. */
interface ClassifierPlan {
  readonly weightsPerLeaf: number;
  readonly weight: (tree: TreeArrays, leaf: number, k: number) => number;
  readonly baseValues: number[];
  readonly postTransform: PostTransform;
  readonly marginMode: boolean;
}

function planClassifier(model: TreeEnsembleModel, nOutputs: number): ClassifierPlan {
  const K = model.nClasses;
  const divisor = model.aggregation === "average" ? model.trees.length : 1;
  // The TypeScript model adds baseScore after averaging or summing, and so does onnxruntime.
  const base = (k: number): number => model.baseScore[k] ?? 0;
  if (K > 2) {
    if (nOutputs !== K) {
      throw new OnnxError(`cannot export a ${K}-class tree ensemble whose leaves hold ${nOutputs} outputs`);
    }
    return {
      weightsPerLeaf: K,
      weight: (tree, leaf, k) => tree.value[leaf * K + k]! / divisor,
      baseValues: model.baseScore.some((b) => b !== 0) ? Array.from({ length: K }, (_, k) => base(k)) : [],
      postTransform: model.postTransform,
      marginMode: false,
    };
  }
  if (nOutputs === 1 && model.postTransform === "logistic") {
    return {
      weightsPerLeaf: 1,
      weight: (tree, leaf) => tree.value[leaf]! / divisor,
      baseValues: [base(0)],
      postTransform: "logistic",
      marginMode: true,
    };
  }
  if (nOutputs === 2 && model.postTransform === "softmax") {
    // softmax([a, b])[1] = σ(b − a): one margin column.
    return {
      weightsPerLeaf: 1,
      weight: (tree, leaf) => (tree.value[leaf * 2 + 1]! - tree.value[leaf * 2]!) / divisor,
      baseValues: [base(1) - base(0)],
      postTransform: "logistic",
      marginMode: true,
    };
  }
  if (nOutputs === 2 && model.postTransform === "none") {
    // Leaves are class probabilities: onnxruntime's probability mode gives [1 − p₁, p₁].
    for (const [t, tree] of model.trees.entries()) {
      for (let i = 0; i < tree.feature.length; i++) {
        if (tree.feature[i] !== -1) continue;
        const p0 = tree.value[i * 2]!;
        const p1 = tree.value[i * 2 + 1]!;
        if (p0 < 0 || p1 < 0 || Math.abs(p0 + p1 - 1) > 1e-9) {
          throw new OnnxError(
            `cannot export tree ${t}: leaf ${i} holds [${p0}, ${p1}], expected class probabilities summing to 1`,
          );
        }
      }
    }
    if (model.baseScore.some((b) => b !== 0)) {
      throw new OnnxError("cannot export a binary ensemble of probability leaves with a non-zero base score");
    }
    if (model.aggregation === "sum" && model.trees.length !== 1) {
      throw new OnnxError(
        "cannot export a summed binary ensemble of probability leaves; use aggregation average",
      );
    }
    return {
      weightsPerLeaf: 1,
      weight: (tree, leaf) => tree.value[leaf * 2 + 1]! / divisor,
      baseValues: [],
      postTransform: "none",
      marginMode: false,
    };
  }
  throw new OnnxError(
    `cannot export a binary tree ensemble with ${nOutputs} outputs per leaf and post transform ${model.postTransform}`,
  );
}

/** A TreeEnsembleRegressor: one weight per leaf, summed or averaged. */
function buildRegressorNode(
  model: TreeEnsembleModel,
  nodes: NodeArrays,
  leavesByTree: readonly number[][],
  nOutputs: number,
  input: string,
  outputs: TreeOutputs,
): OnnxNode {
  if (nOutputs !== 1 || model.postTransform !== "none") {
    throw new OnnxError(
      `cannot export a regression ensemble with ${nOutputs} outputs and post transform ${model.postTransform}`,
    );
  }
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const weights: number[] = [];
  leavesByTree.forEach((leaves, t) => {
    for (const leaf of leaves) {
      treeIds.push(t);
      nodeIds.push(leaf);
      weights.push(model.trees[t]!.value[leaf]!);
    }
  });
  return {
    opType: "TreeEnsembleRegressor",
    domain: "ai.onnx.ml",
    name: "tree_ensemble_regressor",
    inputs: [input],
    outputs: [outputs.prediction],
    attributes: [
      ...nodeAttributes(nodes),
      { name: "target_treeids", type: "ints", value: treeIds },
      { name: "target_nodeids", type: "ints", value: nodeIds },
      { name: "target_ids", type: "ints", value: new Array<number>(weights.length).fill(0) },
      { name: "target_weights", type: "floats", value: weights },
      { name: "n_targets", type: "int", value: 1 },
      {
        name: "aggregate_function",
        type: "string",
        value: model.aggregation === "sum" ? "SUM" : "AVERAGE",
      },
      { name: "base_values", type: "floats", value: [model.baseScore[0] ?? 0] },
      { name: "post_transform", type: "string", value: "NONE" },
    ],
  };
}

/** A TreeEnsembleClassifier: per-class leaf weights, with the plan's base values and post transform. */
function buildClassifierNode(
  model: TreeEnsembleModel,
  nodes: NodeArrays,
  leavesByTree: readonly number[][],
  nOutputs: number,
  labels: ClassLabels | undefined,
  input: string,
  outputs: TreeOutputs,
): OnnxNode {
  if (labels === undefined) throw new OnnxError("cannot export a classifier without class labels");
  const plan = planClassifier(model, nOutputs);
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const classIds: number[] = [];
  const weights: number[] = [];
  leavesByTree.forEach((leaves, t) => {
    const tree = model.trees[t]!;
    for (const leaf of leaves) {
      for (let k = 0; k < plan.weightsPerLeaf; k++) {
        treeIds.push(t);
        nodeIds.push(leaf);
        classIds.push(k);
        weights.push(plan.weight(tree, leaf, k));
      }
    }
  });
  if (plan.marginMode && weights.every((w) => w >= 0)) {
    treeIds.push(0);
    nodeIds.push(leavesByTree[0]![0]!);
    classIds.push(0);
    weights.push(MARGIN_MODE_WEIGHT);
  }
  return {
    opType: "TreeEnsembleClassifier",
    domain: "ai.onnx.ml",
    name: "tree_ensemble_classifier",
    inputs: [input],
    outputs: [outputs.label, outputs.probabilities],
    attributes: [
      ...nodeAttributes(nodes),
      { name: "class_treeids", type: "ints", value: treeIds },
      { name: "class_nodeids", type: "ints", value: nodeIds },
      { name: "class_ids", type: "ints", value: classIds },
      { name: "class_weights", type: "floats", value: weights },
      ...(plan.baseValues.length > 0
        ? [{ name: "base_values", type: "floats", value: plan.baseValues } as const]
        : []),
      { name: "post_transform", type: "string", value: POST_TRANSFORM_NAMES[plan.postTransform] },
      classLabelAttribute(labels),
    ],
  };
}

/** Builds the tree-ensemble node reading `input` (`[N, nFeatures]` float). */
export function buildTreeEnsembleNode(
  model: TreeEnsembleModel,
  input: string,
  labels: ClassLabels | undefined,
  outputs: TreeOutputs,
): OnnxNode {
  if (model.trees.length === 0) throw new OnnxError("cannot export a tree ensemble with no trees");
  const nOutputs = model.trees[0]!.nOutputs;
  const nodes: NodeArrays = {
    treeIds: [],
    nodeIds: [],
    featureIds: [],
    modes: [],
    values: [],
    trueIds: [],
    falseIds: [],
  };
  const leavesByTree = model.trees.map((tree, t) => appendTree(nodes, tree, t, model.nFeatures, nOutputs));
  return model.task === "regression"
    ? buildRegressorNode(model, nodes, leavesByTree, nOutputs, input, outputs)
    : buildClassifierNode(model, nodes, leavesByTree, nOutputs, labels, input, outputs);
}
