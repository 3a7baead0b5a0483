import { describe, expect, it } from "vitest";
import { DataError, UsageError } from "../../src/common/errors.js";
import { fitDecisionTree, fitRandomForest } from "../../src/learners/forest.js";
import { fitGradientBoosting } from "../../src/learners/gradient-boosting.js";
import { LearnerParamError, resolveClassWeights, resolveMaxFeatures } from "../../src/learners/params.js";

const X = {
  nRows: 6,
  columns: [Float64Array.from([1, 2, 3, 4, 5, 6]), Float64Array.from([0, 1, 0, 1, 0, 1])],
  names: ["a", "b"],
};
const y = Float64Array.from([0, 0, 0, 1, 1, 1]);
const classification = { task: "classification", nClasses: 2, seed: 1, threads: 1 } as const;

describe("parameter validation", () => {
  it.each([
    [
      "random_forest",
      { n_estimators: 0 },
      "model_training.params.n_estimators: got 0, expected an integer in [1, 100000]",
    ],
    [
      "random_forest",
      { max_depth: 2.5 },
      "model_training.params.max_depth: got 2.5, expected an integer ≥ 1",
    ],
    ["random_forest", { max_features: "auto" }, 'model_training.params.max_features: got "auto"'],
    ["random_forest", { max_features: 3 }, "an integer in [1, 2]"],
    [
      "random_forest",
      { bootstrap: "yes" },
      'model_training.params.bootstrap: got "yes", expected true or false',
    ],
    ["random_forest", { class_weight: "balance" }, 'model_training.params.class_weight: got "balance"'],
    ["random_forest", { class_weight: { "2": 1 } }, 'keys that are class indices 0…1; "2" is not'],
    [
      "random_forest",
      { n_estimator: 10 },
      "model_training.params.n_estimator: got 10, expected one of random_forest's parameters",
    ],
    ["decision_tree", { class_weight: "balanced_subsample" }, 'expected null, "balanced" or a map'],
    [
      "decision_tree",
      { min_samples_leaf: 0 },
      "model_training.params.min_samples_leaf: got 0, expected an integer ≥ 1",
    ],
    [
      "decision_tree",
      { max_bins: 256 },
      "model_training.params.max_bins: got 256, expected an integer in [2, 255]",
    ],
    [
      "gradient_boosting",
      { learning_rate: 0 },
      "model_training.params.learning_rate: got 0, expected a number in (0, ∞)",
    ],
    [
      "gradient_boosting",
      { max_leaf_nodes: 1 },
      "model_training.params.max_leaf_nodes: got 1, expected an integer ≥ 2",
    ],
    ["gradient_boosting", { l2_regularization: -1 }, "model_training.params.l2_regularization: got -1"],
    ["gradient_boosting", { validation_fraction: 1.5 }, "model_training.params.validation_fraction: got 1.5"],
    [
      "gradient_boosting",
      { early_stopping: "auto" },
      'model_training.params.early_stopping: got "auto", expected true or false',
    ],
    [
      "gradient_boosting",
      { max_iter: 10, n_estimators: 20 },
      "model_training.params.max_iter: got 10, expected n_estimators' value 20 (max_iter is scikit-learn's name",
    ],
  ])("%s rejects %j", async (learner, params, message) => {
    // Arrange
    const fit = {
      random_forest: fitRandomForest,
      decision_tree: fitDecisionTree,
      gradient_boosting: fitGradientBoosting,
    }[learner]!;

    // Act
    const act = fit(X, y, params as never, classification);

    // Assert
    await expect(act).rejects.toThrow(LearnerParamError);
    await expect(act).rejects.toThrow(message);
  });

  it.each([
    [Float64Array.from([0, 2, 0, 1, 1, 1]), "training target at row 1: got 2, expected a class index in 0…1"],
    [Float64Array.from([0, 0.5, 0, 1, 1, 1]), "training target at row 1: got 0.5"],
    [Float64Array.from([0, 1]), "the target has 2 values for 6 training rows"],
  ])("rejects bad targets %j", async (target, message) => {
    // Act
    const act = fitDecisionTree(X, target, {}, classification);

    // Assert
    await expect(act).rejects.toThrow(DataError);
    await expect(act).rejects.toThrow(message);
  });

  it("rejects a non-finite regression target, naming the row", async () => {
    // Act
    const act = fitGradientBoosting(
      X,
      Float64Array.from([1, 2, Number.NaN, 4, 5, 6]),
      {},
      { ...classification, task: "regression", nClasses: 1 },
    );

    // Assert
    await expect(act).rejects.toThrow("training target at row 2: got NaN, expected a finite number");
  });
});

describe("thread count", () => {
  it.each([0, 1.5, -2])("rejects threads %s", async (threads) => {
    // Act
    const act = fitRandomForest(X, y, { n_estimators: 2 }, { ...classification, threads });

    // Assert
    await expect(act).rejects.toThrow(UsageError);
    await expect(act).rejects.toThrow(`threads must be an integer in [1, 1024], got ${threads}`);
  });
});

describe("resolveMaxFeatures follows scikit-learn", () => {
  it.each([
    ["sqrt", 20, 4],
    ["log2", 20, 4],
    ["sqrt", 2, 1],
    [0.5, 20, 10],
    [0.01, 20, 1],
    [7, 20, 7],
    [1, 20, 1],
    [null, 20, 20],
  ] as const)("max_features %j of %i features → %i", (value, n, expected) => {
    expect(resolveMaxFeatures(value, n)).toBe(expected);
  });
});

describe("resolveClassWeights follows scikit-learn", () => {
  it.each([
    ["balanced", [30, 10], [40 / 60, 40 / 20]],
    ["balanced", [5, 0, 15], [20 / 10, 0, 20 / 30]],
    [{ "1": 3 }, [30, 10], [1, 3]],
    [null, [30, 10], [1, 1]],
  ] as const)("%j with class counts %j → %j", (value, counts, expected) => {
    const weights = resolveClassWeights(value, Float64Array.from(counts));
    expected.forEach((w, k) => expect(weights[k]).toBeCloseTo(w, 12));
  });
});

describe("tree behaviour", () => {
  it("grows a pure leaf and stops", async () => {
    // Act
    const model = await fitDecisionTree(X, y, {}, classification);

    // Assert: one split on a at 3.5, two pure leaves.
    const tree = model.trees[0]!;
    expect(Array.from(tree.feature)).toEqual([0, -1, -1]);
    expect(tree.threshold[0]).toBe(3.5);
    expect(Array.from(tree.value)).toEqual([0.5, 0.5, 1, 0, 0, 1]);
  });

  it("weighs classes by class_weight when choosing leaf probabilities", async () => {
    // Arrange: at depth 0 the root is the only leaf; class 1 weighs 3.
    const params = { max_depth: 1, min_samples_leaf: 3, class_weight: { "1": 3 } };
    const Xc = { ...X, columns: [Float64Array.from([1, 1, 1, 1, 1, 1])], names: ["a"] };

    // Act
    const model = await fitDecisionTree(Xc, Float64Array.from([0, 0, 0, 0, 1, 1]), params, classification);

    // Assert: weights 4 vs 6 → probabilities 0.4 / 0.6.
    expect(Array.from(model.trees[0]!.value)).toEqual([0.4, 0.6]);
  });

  it("gives multiclass boosting K trees per iteration, tree t writing only class t mod K", async () => {
    // Arrange
    const y3 = Float64Array.from([0, 1, 2, 0, 1, 2]);

    // Act
    const model = await fitGradientBoosting(
      X,
      y3,
      { n_estimators: 4, min_samples_leaf: 1 },
      { ...classification, nClasses: 3 },
    );

    // Assert
    expect(model.trees).toHaveLength(12);
    expect(model.postTransform).toBe("softmax");
    model.trees.forEach((tree, t) => {
      expect(tree.nOutputs).toBe(3);
      tree.value.forEach((v, i) => {
        if (i % 3 !== t % 3) expect(v).toBe(0);
      });
    });
  });

  it("stops boosting early when the validation loss stops improving", async () => {
    // Arrange: pure noise target, so validation loss cannot keep improving.
    const n = 400;
    const noiseX = {
      nRows: n,
      columns: [Float64Array.from({ length: n }, (_, i) => (i * 37) % 101)],
      names: ["a"],
    };
    const noiseY = Float64Array.from({ length: n }, (_, i) => ((i * 7919) % 13) % 2);
    const params = { early_stopping: true, n_iter_no_change: 3, n_estimators: 200, min_samples_leaf: 5 };

    // Act
    const model = await fitGradientBoosting(noiseX, noiseY, params, classification);

    // Assert
    expect(model.trees.length).toBeLessThan(200);
    expect(model.trees.length).toBeGreaterThanOrEqual(3);
  });
});
