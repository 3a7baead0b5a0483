/**
 * Fitting and predicting one whole pipeline model: the feature transform,
 * fitted on the training rows only, then the learner on the transformed rows.
 */
import type { Frame } from "../data/frame.js";
import { fitFeatures } from "../features/fit.js";
import type { FeatureOptions } from "../features/options.js";
import { transformFeatures } from "../features/transform.js";
import type { FittedFeatures } from "../features/types.js";
import type { FittedModel } from "../learners/model.js";
import { predictModel, type Prediction } from "../learners/predict.js";
import {
  fitLearner,
  type BuiltinLearner,
  type LearnerContext,
  type LearnerParams,
} from "../learners/learner-table.js";

/** A fitted feature transform and the learner fitted after it. */
export interface PipelineModel {
  readonly features: FittedFeatures;
  readonly model: FittedModel;
}

/** What to fit. */
export interface FitRequest {
  readonly learner: BuiltinLearner;
  readonly params: LearnerParams;
  readonly featureOptions: FeatureOptions;
  readonly context: LearnerContext;
}

/** Fits features then learner on `rows` of `frame`, whose targets are `y` (aligned with `rows`). */
export async function fitPipelineModel(
  request: FitRequest,
  frame: Frame,
  rows: Int32Array,
  y: Float64Array,
): Promise<PipelineModel> {
  const features = fitFeatures(frame, request.featureOptions, rows);
  const X = transformFeatures(features, frame, rows);
  const model = await fitLearner(request.learner, request.params, X, y, request.context);
  return { features, model };
}

/** Predicts `rows` of `frame` with a fitted pipeline model. */
export function predictPipelineModel(fitted: PipelineModel, frame: Frame, rows: Int32Array): Prediction {
  return predictModel(fitted.model, transformFeatures(fitted.features, frame, rows));
}
