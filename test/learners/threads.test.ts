import { describe, expect, it } from "vitest";
import { fitRandomForest } from "../../src/learners/forest.js";
import { countPooledWorkers } from "../../src/learners/worker-pool.js";
import type { TreeEnsembleModel } from "../../src/learners/model.js";
import { loadFixture, toMatrix, toTargets } from "./fixtures.js";

interface MetricSet {
  x: number[][];
  y: number[];
  train: number[];
}

function modelBytes(model: TreeEnsembleModel): Buffer {
  const parts = model.trees.flatMap((t) => [t.feature, t.threshold, t.left, t.right, t.value, t.gain!]);
  return Buffer.concat(parts.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
}

const set = loadFixture<Record<string, MetricSet>>("metric-sets.json")["breast_cancer"]!;
const X = toMatrix(set.x, set.train);
const y = toTargets(set.y, set.train);

describe("random forest threads", () => {
  it.each([
    ["classification", { class_weight: "balanced_subsample" }],
    ["regression", { max_features: 0.5, min_samples_leaf: 3 }],
  ] as const)("grows byte-identical %s forests on 1 and 2 threads (%j)", async (task, params) => {
    // Arrange
    const context = { task, nClasses: task === "classification" ? 2 : 1, seed: 7 };

    // Act
    const one = await fitRandomForest(X, y, { n_estimators: 6, ...params }, { ...context, threads: 1 });
    const two = await fitRandomForest(X, y, { n_estimators: 6, ...params }, { ...context, threads: 2 });

    // Assert
    expect(two.trees).toHaveLength(6);
    expect(modelBytes(two).equals(modelBytes(one))).toBe(true);
  });

  it("grows a different forest from a different seed", async () => {
    // Arrange
    const context = { task: "classification", nClasses: 2, threads: 1 } as const;

    // Act
    const a = await fitRandomForest(X, y, { n_estimators: 3 }, { ...context, seed: 1 });
    const b = await fitRandomForest(X, y, { n_estimators: 3 }, { ...context, seed: 2 });

    // Assert
    expect(modelBytes(a).equals(modelBytes(b))).toBe(false);
  });
});

describe("the process's forest worker pool", () => {
  it("starts its workers once and reuses them for every later fit, with the same trees", async () => {
    // Arrange
    const context = { task: "classification", nClasses: 2, seed: 11, threads: 2 } as const;
    const first = await fitRandomForest(X, y, { n_estimators: 4 }, context);
    const started = countPooledWorkers();

    // Act: more fits, as the folds and trials of a study make
    const later = [];
    for (let i = 0; i < 3; i++) later.push(await fitRandomForest(X, y, { n_estimators: 4 }, context));

    // Assert
    expect(started).toBe(2);
    expect(countPooledWorkers()).toBe(2);
    for (const model of later) expect(modelBytes(model).equals(modelBytes(first))).toBe(true);
  });
});
