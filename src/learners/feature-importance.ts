/**
 * Feature importance for every fitted model kind.
 * - Forests and single trees: mean decrease in impurity, as scikit-learn's
 *   `feature_importances_`: each tree's gains normalised to sum 1, averaged
 *   over the trees that split at all, normalised again.
 * - Boosting: total loss reduction of each feature's splits, normalised to
 *   sum 1 (trees are not normalised one by one: later trees fit smaller
 *   residuals and should weigh less).
 * - Linear models: mean |coefficient| over the outputs. Coefficients are
 *   comparable only when the features are on one scale (standard scaling).
 */
import type { FittedModel, TreeEnsembleModel } from "./model.js";

function computeTreeImportance(model: TreeEnsembleModel): Float64Array {
  const p = model.nFeatures;
  const total = new Float64Array(p);
  const perTree = new Float64Array(p);
  for (const tree of model.trees) {
    if (tree.gain === undefined) continue;
    perTree.fill(0);
    let sum = 0;
    for (let node = 0; node < tree.feature.length; node++) {
      const f = tree.feature[node]!;
      if (f < 0) continue;
      const g = Math.max(tree.gain[node]!, 0);
      perTree[f]! += g;
      sum += g;
    }
    if (model.aggregation === "sum") {
      for (let j = 0; j < p; j++) total[j]! += perTree[j]!;
    } else if (sum > 0) {
      for (let j = 0; j < p; j++) total[j]! += perTree[j]! / sum;
    }
  }
  let sum = 0;
  for (let j = 0; j < p; j++) sum += total[j]!;
  if (sum > 0) for (let j = 0; j < p; j++) total[j]! /= sum;
  return total;
}

/**
 * Importance of each feature, keyed by name in feature order. `names` must
 * have one entry per model feature (e.g. `FeatureMatrix.names`).
 */
export function computeFeatureImportance(
  model: FittedModel,
  names: readonly string[],
): Record<string, number> {
  if (names.length !== model.nFeatures) {
    throw new RangeError(
      `computeFeatureImportance: the model has ${model.nFeatures} features, got ${names.length} names`,
    );
  }
  let values: Float64Array;
  if (model.kind === "tree_ensemble") values = computeTreeImportance(model);
  else {
    const p = model.nFeatures;
    const nOut = model.intercepts.length;
    values = new Float64Array(p);
    for (let k = 0; k < nOut; k++)
      for (let j = 0; j < p; j++) values[j]! += Math.abs(model.coefficients[k * p + j]!) / nOut;
  }
  const out: Record<string, number> = {};
  names.forEach((name, j) => {
    out[name] = values[j]!;
  });
  return out;
}
