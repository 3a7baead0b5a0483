/**
 * Parity between the exported graph and the TypeScript pipeline
 * (transformFeatures → predictModel) for every built-in learner, fitted on
 * data with missing values and rare categories and checked on holdout rows
 * that add unseen categories; and the parity check's own failure reports.
 */
import { describe, expect, it } from "vitest";
import { OnnxError } from "../../src/common/errors.js";
import { fitFeatures } from "../../src/features/fit.js";
import { transformFeatures } from "../../src/features/transform.js";
import { fitDecisionTree, fitRandomForest } from "../../src/learners/forest.js";
import { fitGradientBoosting } from "../../src/learners/gradient-boosting.js";
import { fitLinearRegression } from "../../src/learners/linear-regression.js";
import { fitLogisticRegression } from "../../src/learners/logistic-regression.js";
import type { FittedModel, Task, TreeEnsembleModel } from "../../src/learners/model.js";
import { exportOnnx } from "../../src/onnx/export.js";
import { checkOnnxParity, compareOnnxPredictions } from "../../src/onnx/parity.js";
import { loadGoldens, toFrame } from "./goldens.js";

const goldens = loadGoldens();
const train = toFrame(goldens.train);
const holdout = toFrame(goldens.holdout);
const trainRows = Int32Array.from({ length: train.nRows }, (_, i) => i);
const features = fitFeatures(
  train,
  {
    numeric_features: ["x1", "x2"],
    categorical_features: ["color"],
    numeric: { imputation: "median", scaling: "standard" },
    categorical: { min_frequency: 5 },
  },
  trainRows,
);
const X = transformFeatures(features, train);

const binaryClasses = [2, 5];
const multiClasses = ["bronze", "gold", "silver"];
const targets = {
  binary: Float64Array.from(goldens.train.y_bin, (v) => binaryClasses.indexOf(v)),
  multi: Float64Array.from(goldens.train.y_multi, (v) => multiClasses.indexOf(v)),
  regression: Float64Array.from(goldens.train.y_reg),
};

type Target = keyof typeof targets;
const classesOf = { binary: binaryClasses, multi: multiClasses, regression: undefined } as const;
const taskOf = (t: Target): Task => (t === "regression" ? "regression" : "classification");
const context = (t: Target) => ({
  task: taskOf(t),
  nClasses: t === "binary" ? 2 : t === "multi" ? 3 : 1,
  seed: 7,
  threads: 1,
});

const learners: [string, Target, (t: Target) => Promise<FittedModel>][] = [
  ["decision tree", "multi", (t) => fitDecisionTree(X, targets[t], { max_depth: 6 }, context(t))],
  ["decision tree", "regression", (t) => fitDecisionTree(X, targets[t], { max_depth: 6 }, context(t))],
  [
    "random forest",
    "binary",
    (t) => fitRandomForest(X, targets[t], { n_estimators: 20, max_depth: 8 }, context(t)),
  ],
  [
    "random forest",
    "multi",
    (t) => fitRandomForest(X, targets[t], { n_estimators: 20, max_depth: 8 }, context(t)),
  ],
  ["random forest", "regression", (t) => fitRandomForest(X, targets[t], { n_estimators: 10 }, context(t))],
  [
    "gradient boosting",
    "binary",
    (t) => fitGradientBoosting(X, targets[t], { n_estimators: 30 }, context(t)),
  ],
  ["gradient boosting", "multi", (t) => fitGradientBoosting(X, targets[t], { n_estimators: 20 }, context(t))],
  [
    "gradient boosting",
    "regression",
    (t) => fitGradientBoosting(X, targets[t], { n_estimators: 30 }, context(t)),
  ],
  ["logistic regression", "binary", (t) => fitLogisticRegression(X, targets[t], {}, context(t))],
  ["logistic regression", "multi", (t) => fitLogisticRegression(X, targets[t], {}, context(t))],
  [
    "ridge",
    "regression",
    (t) => Promise.resolve(fitLinearRegression(X, targets[t], { alpha: 1 }, { task: "regression" })),
  ],
];

describe("checkOnnxParity on every learner", () => {
  it.each(learners)("%s (%s) agrees with its ONNX export on the holdout", async (_name, target, fit) => {
    // Arrange
    const model = await fit(target);
    const classes = classesOf[target];
    const bytes = exportOnnx({
      features,
      model,
      task: taskOf(target),
      ...(classes === undefined ? {} : { classes: [...classes] }),
    });

    // Act
    const report = await checkOnnxParity({
      onnx: bytes,
      features,
      model,
      frame: holdout,
      ...(classes === undefined ? {} : { classes: [...classes] }),
    });

    // Assert
    expect(report.rows).toBe(holdout.nRows);
    expect(report.maxDifference).toBeLessThanOrEqual(1e-5);
  });

  it("fails loudly, naming the first differing row, when the graph and the model disagree", async () => {
    // Arrange: export one forest, then compare with a copy whose leaves all lean to class 0.
    const model = await fitRandomForest(
      X,
      targets.binary,
      { n_estimators: 5, max_depth: 4 },
      context("binary"),
    );
    const bytes = exportOnnx({ features, model, task: "classification", classes: binaryClasses });
    const skewed: TreeEnsembleModel = {
      ...model,
      trees: model.trees.map((tree) => ({
        ...tree,
        value: tree.value.map((v, i) =>
          tree.feature[Math.floor(i / 2)] === -1 ? (i % 2 === 0 ? 0.9 : 0.1) : v,
        ),
      })),
    };
    const rows = Int32Array.from({ length: 10 }, (_, i) => 10 + i);

    // Act
    const act = checkOnnxParity({
      onnx: bytes,
      features,
      model: skewed,
      frame: holdout,
      rows,
      classes: binaryClasses,
    });

    // Assert
    await expect(act).rejects.toThrow(OnnxError);
    await expect(act).rejects.toThrow(
      /ONNX parity failed at holdout row 0 \(data row 10\): probability of class 2 is/,
    );
  });
});

describe("compareOnnxPredictions", () => {
  const probabilities = (values: number[]) => ({
    dims: [values.length / 2, 2],
    values: Float32Array.from(values),
  });
  const reference = { scores: Float64Array.of(0.3, 0.7, 0.5, 0.5), nOutputs: 2, labels: Int32Array.of(1, 0) };

  it.each([
    ["identical outputs", [0.3, 0.7, 0.5, 0.5], ["b", "a"], undefined, [] as number[]],
    ["a tie broken the other way", [0.3, 0.7, 0.5, 0.5], ["b", "b"], undefined, [1]],
    ["a near-tie within tolerance", [0.3, 0.7, 0.499996, 0.500004], ["b", "b"], undefined, [1]],
    [
      "a probability off by 2e-5",
      [0.30002, 0.7, 0.5, 0.5],
      ["b", "a"],
      /row 0: probability of class "a" is 0.300020009 in ONNX, 0.3 in TypeScript/,
      [],
    ],
    [
      "a label that is not a tie",
      [0.3, 0.7, 0.5, 0.5],
      ["a", "a"],
      /row 0: label is "a" in ONNX, "b" in TypeScript/,
      [],
    ],
    [
      "an unknown label",
      [0.3, 0.7, 0.5, 0.5],
      ["b", "z"],
      /row 1: label is "z" in ONNX, "a" in TypeScript/,
      [],
    ],
  ] as const)("%s", (_name, probs, labels, error, tied) => {
    const act = () =>
      compareOnnxPredictions({
        onnx: { label: { dims: [2], values: labels }, probabilities: probabilities([...probs]) },
        reference,
        task: "classification",
        classes: ["a", "b"],
      });
    if (error === undefined) expect(act().tiedRows).toEqual(tied);
    else expect(act).toThrow(error);
  });

  it.each([
    [[100.0004], null],
    [[100.002], /row 0: prediction is 100.001999 in ONNX, 100 in TypeScript/],
  ] as const)("regression value %j against 100 (tolerance relative to size)", (values, error) => {
    const act = () =>
      compareOnnxPredictions({
        onnx: { prediction: { dims: [1, 1], values: Float32Array.from(values) } },
        reference: { scores: Float64Array.of(100), nOutputs: 1, labels: undefined },
        task: "regression",
      });
    if (error === null) expect(act().maxDifference).toBeLessThan(1e-5);
    else expect(act).toThrow(error);
  });

  it("names a missing output", () => {
    expect(() =>
      compareOnnxPredictions({
        onnx: { variable: { dims: [1], values: [1] } },
        reference: { scores: Float64Array.of(1), nOutputs: 1, labels: undefined },
        task: "regression",
      }),
    ).toThrow(/no "prediction" output \(it has variable\)/);
  });
});
