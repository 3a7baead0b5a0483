/**
 * Our trees against scikit-learn's on data sets small enough that every
 * distinct value has its own bin: the same splits, hence the same
 * predictions (see test/fixtures/learners/generate.py for why decision trees
 * are compared on training rows and boosting on held-out rows).
 */
import { describe, expect, it } from "vitest";
import { computeFeatureImportance } from "../../src/learners/feature-importance.js";
import { fitDecisionTree } from "../../src/learners/forest.js";
import { fitGradientBoosting } from "../../src/learners/gradient-boosting.js";
import type { Task } from "../../src/learners/model.js";
import { predictModel } from "../../src/learners/predict.js";
import { loadFixture, toMatrix, toTargets } from "./fixtures.js";

interface ExactCase {
  learner: "decision_tree" | "gradient_boosting";
  params: Record<string, number | null>;
  on: "train" | "test";
  proba?: number[];
  values?: number[];
  labels?: number[];
  importance?: number[];
}
interface ExactSet {
  task: Task;
  n_classes: number;
  x_train: number[][];
  y_train: number[];
  x_test: number[][];
  cases: ExactCase[];
}

const sets = loadFixture<Record<string, ExactSet>>("exact-trees.json");
const table = (["multiclass", "binary", "regression"] as const).flatMap((name) =>
  sets[name]!.cases.map((c) => ({
    name,
    set: sets[name]!,
    c,
    label: `${name} ${c.learner} ${JSON.stringify(c.params)}`,
  })),
);

async function fit(set: ExactSet, c: ExactCase) {
  const X = toMatrix(set.x_train);
  const y = toTargets(set.y_train);
  const context = { task: set.task, nClasses: set.n_classes, seed: 0, threads: 1 };
  const model =
    c.learner === "decision_tree"
      ? await fitDecisionTree(X, y, c.params, context)
      : await fitGradientBoosting(X, y, c.params, context);
  return { model, X };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe("trees match scikit-learn split for split", () => {
  it.each(table)("$label predicts as scikit-learn does", async ({ set, c }) => {
    // Arrange
    const { model, X } = await fit(set, c);
    const rows = c.on === "train" ? X : toMatrix(set.x_test);

    // Act
    const prediction = predictModel(model, rows);

    // Assert: trees are exact; boosting differs only by scikit-learn's float32 gradients.
    const tolerance = c.learner === "decision_tree" ? 1e-9 : 1e-6;
    const expected = c.proba ?? c.values!;
    const scale = set.task === "regression" ? Math.max(...expected.map(Math.abs)) : 1;
    expect(maxAbsDiff(prediction.scores, expected) / scale).toBeLessThan(tolerance);
    if (c.labels !== undefined) expect(Array.from(prediction.labels!)).toEqual(c.labels);
    else expect(prediction.labels).toBeUndefined();
  });

  it.each(table.filter((t) => t.c.importance !== undefined))(
    "$label has scikit-learn's feature importances",
    async ({ set, c }) => {
      // Arrange
      const { model, X } = await fit(set, c);

      // Act
      const importance = computeFeatureImportance(model, X.names);

      // Assert
      expect(maxAbsDiff(Object.values(importance), c.importance!)).toBeLessThan(1e-9);
      expect(Object.keys(importance)).toEqual(X.names);
    },
  );
});
