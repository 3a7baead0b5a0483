import { describe, expect, it } from "vitest";
import { computeFeatureImportance } from "../../src/learners/feature-importance.js";
import type { FeatureMatrix, LinearModel, Task, TreeEnsembleModel } from "../../src/learners/model.js";
import { computeArgmax, predictModel } from "../../src/learners/predict.js";
import { loadFixture, toMatrix } from "./fixtures.js";

interface LinearCase {
  name: string;
  task: Task;
  n_classes: number;
  coefficients: number[];
  intercepts: number[];
  x: number[][];
  proba?: number[];
  values?: number[];
  labels?: number[];
  importance: number[];
}

const linear = loadFixture<{ cases: LinearCase[] }>("linear-predictions.json").cases;

function linearModel(c: LinearCase): LinearModel {
  const nOut = c.intercepts.length;
  return {
    kind: "linear",
    task: c.task,
    coefficients: Float64Array.from(c.coefficients),
    intercepts: Float64Array.from(c.intercepts),
    postTransform: c.task === "regression" ? "none" : nOut === 1 ? "logistic" : "softmax",
    nFeatures: c.x.length,
    nClasses: c.n_classes,
  };
}

/** x0 ≤ 0.5 → leaf 1, else x1 ≤ t → leaf 3, else leaf 4. */
function stump(
  values: number[],
  nOutputs: number,
  t: number,
  extra: Partial<TreeEnsembleModel> = {},
): TreeEnsembleModel {
  return {
    kind: "tree_ensemble",
    task: "classification",
    trees: [
      {
        feature: Int32Array.from([0, -1, 1, -1, -1]),
        threshold: Float64Array.from([0.5, 0, t, 0, 0]),
        left: Int32Array.from([1, -1, 3, -1, -1]),
        right: Int32Array.from([2, -1, 4, -1, -1]),
        value: Float64Array.from(values),
        nOutputs,
        gain: Float64Array.from([3, 0, 1, 0, 0]),
      },
    ],
    aggregation: "average",
    baseScore: new Float64Array(nOutputs),
    postTransform: "none",
    nFeatures: 2,
    nClasses: nOutputs,
    ...extra,
  };
}

function matrix(rows: number[][]): FeatureMatrix {
  return {
    nRows: rows.length,
    columns: [0, 1].map((j) => Float64Array.from(rows, (r) => r[j]!)),
    names: ["a", "b"],
  };
}

describe("predictModel on linear models", () => {
  it.each(linear)("$name reproduces scikit-learn's predictions", (c) => {
    // Arrange
    const model = linearModel(c);

    // Act
    const prediction = predictModel(model, toMatrix(c.x));

    // Assert
    const expected = c.proba ?? c.values!;
    expect(prediction.scores).toHaveLength(expected.length);
    prediction.scores.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 10));
    if (c.labels !== undefined) expect(Array.from(prediction.labels!)).toEqual(c.labels);
    else expect(prediction.labels).toBeUndefined();
  });

  it.each(linear)("$name has scikit-learn's mean |coefficient| as importance", (c) => {
    // Act
    const importance = computeFeatureImportance(linearModel(c), ["a", "b", "c", "d"]);

    // Assert
    Object.values(importance).forEach((v, j) => expect(v).toBeCloseTo(c.importance[j]!, 12));
  });
});

describe("predictModel on trees", () => {
  it.each([
    // [x0, x1, expected leaf probability of class 1]
    [0.5, 0, 0.1],
    [0.50000001, 0, 0.1], // rounds to float32 0.5, so it goes left as in ONNX
    [0.5000001, 0.25, 0.7],
    [0.6, 0.3, 0.7],
    [0.6, 0.30000004, 0.4], // the next float32 above the threshold goes right
  ])("sends x=(%f, %f) to the leaf ONNX BRANCH_LEQ would (p1 = %f)", (x0, x1, p1) => {
    // Arrange
    const model = stump([0, 0, 0.9, 0.1, 0, 0, 0.3, 0.7, 0.6, 0.4], 2, Math.fround(0.3));

    // Act
    const prediction = predictModel(model, matrix([[x0, x1]]));

    // Assert
    expect(prediction.scores[1]).toBeCloseTo(p1, 15);
  });

  it("expands one logistic output into two class probabilities", () => {
    // Arrange: leaf raw scores 0 (x0 ≤ 0.5) and ln 3 (x0 > 0.5, x1 ≤ 10), base 0.
    const model = stump([0, 0, 0, Math.log(3), 0], 1, 10, {
      aggregation: "sum",
      postTransform: "logistic",
      nClasses: 2,
    });

    // Act
    const prediction = predictModel(
      model,
      matrix([
        [0, 0],
        [1, 0],
      ]),
    );

    // Assert
    expect(prediction.nOutputs).toBe(2);
    [0.5, 0.5, 0.25, 0.75].forEach((p, i) => expect(prediction.scores[i]).toBeCloseTo(p, 15));
    expect(Array.from(prediction.labels!)).toEqual([0, 1]);
  });

  it("rejects a matrix with the wrong number of features", () => {
    // Arrange
    const model = stump([0, 0, 1, 0, 0], 1, 0);
    const X = { nRows: 1, columns: [Float64Array.from([1])], names: ["a"] };

    // Act
    const act = () => predictModel(model, X);

    // Assert
    expect(act).toThrow("the model expects 2 feature columns, got 1");
  });

  it("normalises tree importance to sum 1", () => {
    // Act
    const importance = computeFeatureImportance(stump([0, 0, 1, 0, 0], 1, 0), ["a", "b"]);

    // Assert
    expect(importance).toEqual({ a: 0.75, b: 0.25 });
  });
});

describe("computeArgmax", () => {
  it.each([
    [[0.2, 0.5, 0.3], 1],
    [[0.4, 0.4, 0.2], 0],
    [[0.2, 0.4, 0.4], 1],
    [[1 / 3, 1 / 3, 1 / 3], 0],
    [[0.5, 0.5], 0],
  ])("picks the lowest class index among equal maxima in %j → %i", (scores, expected) => {
    // Act
    const labels = computeArgmax(Float64Array.from(scores), 1, scores.length);

    // Assert
    expect(labels[0]).toBe(expected);
  });
});
