/**
 * The tuning objective: k-fold cross-validation on the training rows only,
 * scored with the pipeline's metric. Each fold refits the feature transform
 * on its own training part, so nothing leaks from the validation part.
 */
import { DataError } from "../common/errors.js";
import { kFold, stratifiedKFold, type Split } from "../data/split.js";
import { evaluatePredictions } from "../evaluation/model-evaluation.js";
import type { Task } from "../learners/model.js";
import type { TrialBudget } from "../tuning/halving.js";
import type { Params } from "../tuning/space.js";
import { fitPipelineModel, predictPipelineModel, type FitRequest } from "./fit-model.js";
import type { LabelledRows } from "./prepare-data.js";

/** The folds of the training rows, as positions into `train.rows`. */
export function buildFolds(train: LabelledRows, task: Task, k: number, seed: number): Split[] {
  return task === "classification" ? stratifiedKFold(train.y, k, seed) : kFold(train.rows.length, k, seed);
}

/** Options of {@link createCvObjective}. */
export interface CvObjectiveOptions {
  readonly train: LabelledRows;
  readonly folds: readonly Split[];
  readonly metric: string;
  /** Everything but the tuned parameters, which each trial lays over `base.params`. */
  readonly base: FitRequest;
}

function pick(train: LabelledRows, positions: Int32Array): { rows: Int32Array; y: Float64Array } {
  return { rows: positions.map((p) => train.rows[p]!), y: Float64Array.from(positions, (p) => train.y[p]!) };
}

/** Keeps the first `count` rows of each fold's training part: the `rows` budget of successive halving. */
function limitRows(positions: Int32Array, count: number): Int32Array {
  return count >= positions.length ? positions : positions.slice(0, Math.max(2, count));
}

/**
 * Builds the objective tuning calls: mean of the metric over the folds. The
 * fold training rows are in a seeded random order, so a `rows` budget takes
 * a random subset.
 */
export function createCvObjective(
  options: CvObjectiveOptions,
): (params: Params, budget?: TrialBudget) => Promise<number> {
  const { train, folds, metric, base } = options;
  return async (params, budget) => {
    const merged: Record<string, unknown> = { ...base.params, ...params };
    if (budget?.resource === "n_estimators") {
      merged.n_estimators = budget.value;
      // The budget sets the rounds; max_iter, their other name, would contradict it.
      delete merged.max_iter;
    }
    let sum = 0;
    for (const [i, fold] of folds.entries()) {
      const trainPositions = budget?.resource === "rows" ? limitRows(fold.train, budget.value) : fold.train;
      const fitPart = pick(train, trainPositions);
      const validPart = pick(train, fold.test);
      const fitted = await fitPipelineModel(
        { ...base, params: merged },
        train.frame,
        fitPart.rows,
        fitPart.y,
      );
      const prediction = predictPipelineModel(fitted, train.frame, validPart.rows);
      const evaluation = evaluatePredictions({
        task: base.context.task,
        yTrue: validPart.y,
        scores: prediction.scores,
        nClasses: base.context.nClasses,
        ...(prediction.labels ? { labels: prediction.labels } : {}),
      });
      const value = evaluation.metrics[metric];
      if (value === undefined) {
        throw new DataError(
          `cross-validation fold ${i + 1}: ${metric} is undefined (${evaluation.unavailable[metric] ?? "no value"}); choose another hyperparameter_tuning.metric or fewer folds`,
        );
      }
      sum += value;
    }
    return sum / folds.length;
  };
}
