/**
 * Forests and boosting against scikit-learn's scores on fixed splits (the
 * reference is the mean over three scikit-learn seeds; our seed is fixed, so
 * these checks are deterministic). Tolerances are stated per metric: forests
 * vary more from seed to seed than boosting.
 */
import { describe, expect, it } from "vitest";
import { computeFeatureImportance } from "../../src/learners/feature-importance.js";
import { fitRandomForest } from "../../src/learners/forest.js";
import { fitGradientBoosting } from "../../src/learners/gradient-boosting.js";
import type { Task } from "../../src/learners/model.js";
import { predictModel } from "../../src/learners/predict.js";
import { loadFixture, toMatrix, toTargets } from "./fixtures.js";
import { accuracy, r2, rocAucFromScores } from "./metrics.js";

interface MetricSet {
  task: Task;
  n_classes: number;
  x: number[][];
  y: number[];
  train: number[];
  test: number[];
  sklearn: Record<
    "random_forest" | "gradient_boosting",
    { accuracy?: number; roc_auc?: number; r2?: number; importance?: number[] }
  >;
}

const sets = loadFixture<Record<string, MetricSet>>("metric-sets.json");

const TOLERANCE = {
  random_forest: { accuracy: 0.02, roc_auc: 0.01, r2: 0.02 },
  gradient_boosting: { accuracy: 0.02, roc_auc: 0.005, r2: 0.01 },
} as const;

const table = (["breast_cancer", "make_classification", "three_classes", "friedman1"] as const).flatMap(
  (name) =>
    (["random_forest", "gradient_boosting"] as const).map((learner) => ({ name, learner, set: sets[name]! })),
);

describe("ensembles score like scikit-learn", () => {
  it.each(table)("$learner on $name", async ({ learner, set }) => {
    // Arrange
    const X = toMatrix(set.x, set.train);
    const y = toTargets(set.y, set.train);
    const Xtest = toMatrix(set.x, set.test);
    const ytest = toTargets(set.y, set.test);
    const context = { task: set.task, nClasses: set.n_classes, seed: 42, threads: 1 };

    // Act
    const model =
      learner === "random_forest"
        ? await fitRandomForest(X, y, { n_estimators: 100 }, context)
        : await fitGradientBoosting(X, y, {}, context);
    const prediction = predictModel(model, Xtest);

    // Assert
    const reference = set.sklearn[learner];
    const tolerance = TOLERANCE[learner];
    if (set.task === "classification") {
      expect(Math.abs(accuracy(prediction.labels!, ytest) - reference.accuracy!)).toBeLessThan(
        tolerance.accuracy,
      );
      expect(
        Math.abs(rocAucFromScores(prediction.scores, set.n_classes, ytest) - reference.roc_auc!),
      ).toBeLessThan(tolerance.roc_auc);
    } else {
      expect(Math.abs(r2(prediction.scores, ytest) - reference.r2!)).toBeLessThan(tolerance.r2);
    }
    if (learner === "random_forest" && set.task === "regression") {
      // Mean decrease in impurity, per feature, within 0.02 of scikit-learn's. Only
      // friedman1's features are independent; correlated ones share importance
      // differently from seed to seed.
      const importance = Object.values(computeFeatureImportance(model, X.names));
      const expected = reference.importance!;
      importance.forEach((value, j) => expect(Math.abs(value - expected[j]!)).toBeLessThan(0.02));
    }
  });
});
