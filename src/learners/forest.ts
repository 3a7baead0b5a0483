/**
 * `decision_tree` and `random_forest`: CART trees on quantile bins, averaged.
 */
import {
  listLearnerParams,
  type DecisionTreeParams,
  type RandomForestParams,
} from "../config/learner-params.js";
import { buildBinnedMatrix, MAX_BINS } from "./binning.js";
import type { ForestJob } from "./forest-job.js";
import type { FeatureMatrix, TreeArrays, TreeEnsembleModel } from "./model.js";
import {
  checkBoolean,
  checkInteger,
  checkOptionalLimit,
  checkTrainingData,
  LearnerParamError,
  resolveMaxFeatures,
  type ClassWeight,
  type FitContext,
} from "./params.js";
import { growForest, resolveThreads } from "./worker-pool.js";

function checkClassWeight(value: unknown, allowSubsample: boolean): ClassWeight {
  if (value === undefined || value === null) return null;
  if (value === "balanced") return value;
  if (value === "balanced_subsample" && allowSubsample) return value;
  if (typeof value === "object" && !Array.isArray(value)) return value as Readonly<Record<string, number>>;
  const accepted = allowSubsample ? `null, "balanced", "balanced_subsample"` : `null, "balanced"`;
  throw new LearnerParamError("class_weight", value, `${accepted} or a map class → weight`);
}

const TREE_KEYS = listLearnerParams("decision_tree");
const FOREST_KEYS = listLearnerParams("random_forest");

/** Rejects parameters the learner does not know, so a typo is not silently ignored. */
export function checkKnownParams(params: object, known: readonly string[], learner: string): void {
  for (const key of Object.keys(params)) {
    if (!known.includes(key)) {
      throw new LearnerParamError(
        key,
        (params as Record<string, unknown>)[key],
        `one of ${learner}'s parameters: ${known.join(", ")}`,
      );
    }
  }
}

async function fitForest(
  X: FeatureMatrix,
  y: Float64Array,
  params: RandomForestParams,
  context: FitContext,
  forest: boolean,
): Promise<TreeEnsembleModel> {
  const nFeatures = X.columns.length;
  const classification = context.task === "classification";
  checkTrainingData(X.nRows, nFeatures, X.columns, y, context.task, context.nClasses);
  const maxDepth = checkOptionalLimit("max_depth", params.max_depth, 1);
  const minSamplesLeaf = checkInteger("min_samples_leaf", params.min_samples_leaf ?? 1, 1);
  const defaultMaxFeatures = forest && classification ? "sqrt" : null;
  const maxFeatures = resolveMaxFeatures(
    params.max_features === undefined ? defaultMaxFeatures : params.max_features,
    nFeatures,
  );
  const maxBins = checkInteger("max_bins", params.max_bins ?? MAX_BINS, 2, MAX_BINS);
  const nEstimators = forest ? checkInteger("n_estimators", params.n_estimators ?? 100, 1, 100_000) : 1;
  const bootstrap = forest ? checkBoolean("bootstrap", params.bootstrap ?? true) : false;
  const classWeight = checkClassWeight(params.class_weight, forest);
  if (!classification && classWeight !== null) {
    throw new LearnerParamError("class_weight", classWeight, "null for a regression task");
  }
  const threads = resolveThreads(context.threads);

  const binned = buildBinnedMatrix(X, maxBins);
  // Targets go to shared memory so workers read them without a copy.
  const n = X.nRows;
  const yClass = new Int32Array(new SharedArrayBuffer(classification ? n * 4 : 0));
  const yValue = new Float64Array(new SharedArrayBuffer(classification ? 0 : n * 8));
  if (classification) for (let i = 0; i < n; i++) yClass[i] = y[i]!;
  else yValue.set(y);
  const job: ForestJob = {
    binned,
    nClasses: classification ? context.nClasses : 0,
    yClass,
    yValue,
    classWeight,
    bootstrap,
    maxDepth,
    minSamplesLeaf,
    maxFeatures,
    seed: context.seed,
  };
  const trees: TreeArrays[] = await growForest(job, nEstimators, forest ? threads : 1);
  const nOutputs = classification ? context.nClasses : 1;
  return {
    kind: "tree_ensemble",
    task: context.task,
    trees,
    aggregation: "average",
    baseScore: new Float64Array(nOutputs),
    postTransform: "none",
    nFeatures,
    nClasses: classification ? context.nClasses : 1,
  };
}

/**
 * Fits one CART tree (scikit-learn's `DecisionTreeClassifier`/`Regressor`):
 * all rows, all features unless `max_features` says otherwise, gini or
 * squared error. Classifier leaves hold class probabilities.
 */
export async function fitDecisionTree(
  X: FeatureMatrix,
  y: Float64Array,
  params: DecisionTreeParams,
  context: FitContext,
): Promise<TreeEnsembleModel> {
  checkKnownParams(params, TREE_KEYS, "decision_tree");
  return fitForest(X, y, params, context, false);
}

/**
 * Fits a random forest (scikit-learn's `RandomForestClassifier`/`Regressor`):
 * `n_estimators` trees, each on a bootstrap sample with `max_features`
 * candidates per split (default `sqrt` for classification, all for
 * regression), averaged. Trees grow on `context.threads` workers; the model
 * is the same for any thread count.
 */
export async function fitRandomForest(
  X: FeatureMatrix,
  y: Float64Array,
  params: RandomForestParams,
  context: FitContext,
): Promise<TreeEnsembleModel> {
  checkKnownParams(params, FOREST_KEYS, "random_forest");
  return fitForest(X, y, params, context, true);
}
