/**
 * The baseline every model must beat: scikit-learn's `DummyClassifier(
 * strategy="prior")` (always the training class shares, so the majority
 * class) or `DummyRegressor()` (always the training mean), evaluated on the
 * same holdout.
 */
import type { Task } from "../learners/model.js";
import { evaluatePredictions, type ModelEvaluation } from "./model-evaluation.js";

/** Evaluates the prior/mean baseline fitted on `yTrain` against `yTest`. */
export function evaluateBaseline(
  task: Task,
  nClasses: number,
  yTrain: ArrayLike<number>,
  yTest: ArrayLike<number>,
): ModelEvaluation {
  const n = yTest.length;
  if (task === "regression") {
    let sum = 0;
    for (let i = 0; i < yTrain.length; i++) sum += yTrain[i]!;
    return evaluatePredictions({
      task,
      yTrue: yTest,
      scores: new Float64Array(n).fill(sum / yTrain.length),
      nClasses: 1,
    });
  }
  const prior = new Float64Array(nClasses);
  for (let i = 0; i < yTrain.length; i++) prior[yTrain[i]!]! += 1 / yTrain.length;
  const scores = new Float64Array(n * nClasses);
  for (let i = 0; i < n; i++) scores.set(prior, i * nClasses);
  return evaluatePredictions({ task, yTrue: yTest, scores, nClasses });
}
