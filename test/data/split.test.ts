import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DataError } from "../../src/common/errors.js";
import { computeSplitSizes, kFold, stratifiedKFold, trainTestSplit, type Split } from "../../src/data/split.js";

const golden = JSON.parse(readFileSync(new URL("../fixtures/data/splits-golden.json", import.meta.url), "utf8")) as {
  train_test_sizes: { n: number; test_size: number; n_train?: number; n_test?: number; error?: string }[];
  stratified: { class_counts: number[]; test_size: number; test_counts: number[] }[];
  stratified_kfold: { y: number[]; k: number; fold_class_counts: number[][] }[];
};

function repeatClasses(counts: number[]): Float64Array {
  return Float64Array.from(counts.flatMap((c, k) => new Array<number>(c).fill(k)));
}

function classCounts(rows: Int32Array, y: ArrayLike<number>, nClasses: number): number[] {
  const counts = new Array<number>(nClasses).fill(0);
  for (const i of rows) counts[y[i]!]! += 1;
  return counts;
}

/** Train and test are disjoint, sorted, and cover every row once. */
function expectPartition(split: Split, n: number): void {
  const all = [...split.train, ...split.test].sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
  for (const part of [split.train, split.test]) for (let i = 1; i < part.length; i++) expect(part[i]!).toBeGreaterThan(part[i - 1]!);
}

describe("trainTestSplit sizes match scikit-learn", () => {
  const ok = golden.train_test_sizes.filter((c) => c.error === undefined);
  it.each(ok)("n=$n, test_size=$test_size → $n_test test rows", (c) => {
    const split = trainTestSplit(c.n, { testSize: c.test_size, seed: 1 });
    expect([split.train.length, split.test.length]).toEqual([c.n_train, c.n_test]);
    expectPartition(split, c.n);
  });

  it.each(golden.train_test_sizes.filter((c) => c.error !== undefined))("n=$n, test_size=$test_size is refused", (c) => {
    expect(() => computeSplitSizes(c.n, c.test_size)).toThrow(/the training set would be empty/);
  });

  it.each([0, -0.1, 1.5, 10, Number.NaN])("refuses test_size=%s", (testSize) => {
    expect(() => trainTestSplit(10, { testSize, seed: 1 })).toThrow(DataError);
  });
});

describe("stratified trainTestSplit matches scikit-learn's per-class counts", () => {
  it.each(golden.stratified)("classes $class_counts, test_size=$test_size → $test_counts", (c) => {
    const y = repeatClasses(c.class_counts);
    const split = trainTestSplit(y.length, { testSize: c.test_size, stratify: y, seed: 7 });
    expect(classCounts(split.test, y, c.class_counts.length)).toEqual(c.test_counts);
    expectPartition(split, y.length);
  });

  it("is reproducible from the seed and changes with it", () => {
    const y = repeatClasses([40, 30, 30]);
    const a = trainTestSplit(100, { testSize: 0.2, stratify: y, seed: 3 });
    const b = trainTestSplit(100, { testSize: 0.2, stratify: y, seed: 3 });
    const c = trainTestSplit(100, { testSize: 0.2, stratify: y, seed: 4 });
    expect(a).toEqual(b);
    expect(Array.from(a.test)).not.toEqual(Array.from(c.test));
  });

  it("refuses a class too small to stratify, with scikit-learn's message", () => {
    const y = Float64Array.from([0, 0, 0, 1, 0, 0]);
    expect(() => trainTestSplit(6, { testSize: 0.5, stratify: y, seed: 1 })).toThrow(
      /class code 1, at row 4\) has only 1 member, which is too few\. The minimum number of groups for any class cannot be less than 2/,
    );
  });

  it("names the class by its label when given the class names", () => {
    const y = Float64Array.from([0, 0, 1, 0]);
    expect(() => trainTestSplit(4, { testSize: 0.5, stratify: y, classNames: ["no", "yes"], seed: 1 })).toThrow(
      /least populated class in y \(class "yes", at row 3\) has only 1 member/,
    );
  });

  it("refuses a test part smaller than the number of classes", () => {
    const y = repeatClasses([5, 5, 5]);
    expect(() => trainTestSplit(15, { testSize: 2, stratify: y, seed: 1 })).toThrow(
      /the test size = 2 should be greater or equal to the number of classes = 3/,
    );
  });
});

describe("stratifiedKFold", () => {
  it.each(golden.stratified_kfold)("spreads classes over $k folds as scikit-learn does", (c) => {
    const folds = stratifiedKFold(c.y, c.k, 11);
    const nClasses = Math.max(...c.y) + 1;
    expect(folds.map((f) => classCounts(f.test, c.y, nClasses))).toEqual(c.fold_class_counts);
    for (const fold of folds) expectPartition(fold, c.y.length);
  });

  it("refuses more folds than the largest class has members", () => {
    expect(() => stratifiedKFold([0, 1, 0, 1], 3, 1)).toThrow(/cannot make 3 stratified folds: no class has 3 members/);
  });
});

describe("kFold", () => {
  it.each([
    [10, 3, [4, 3, 3]],
    [12, 4, [3, 3, 3, 3]],
    [7, 5, [2, 2, 1, 1, 1]],
  ])("splits %i rows into folds of sizes %j, each row tested once", (n, k, sizes) => {
    const folds = kFold(n, k, 5);
    expect(folds.map((f) => f.test.length)).toEqual(sizes);
    const tested = folds.flatMap((f) => Array.from(f.test)).sort((a, b) => a - b);
    expect(tested).toEqual(Array.from({ length: n }, (_, i) => i));
    for (const fold of folds) expectPartition(fold, n);
    expect(kFold(n, k, 5)).toEqual(folds);
  });

  it.each([
    [5, 1, /whole number ≥ 2/],
    [3, 4, /cannot make 4 folds from 3 rows/],
  ])("refuses n=%i, k=%i", (n, k, message) => {
    expect(() => kFold(n, k, 1)).toThrow(message);
  });
});
