import { describe, expect, it } from "vitest";
import { DataError } from "../../src/common/errors.js";
import type { Column } from "../../src/data/frame.js";
import { encodeTarget, encodeTargetLike, sortLabels } from "../../src/data/target.js";
import type { Task } from "../../src/learners/model.js";

function numeric(values: number[]): Column {
  return { kind: "numeric", name: "churn", values: Float64Array.from(values) };
}

function text(labels: (string | null)[]): Column {
  const dictionary = [...new Set(labels.filter((l): l is string => l !== null))];
  return { kind: "categorical", name: "churn", codes: Int32Array.from(labels, (l) => (l === null ? -1 : dictionary.indexOf(l))), dictionary };
}

/** `n` rows cycling through `distinct` integer values. */
function cycle(n: number, distinct: number): number[] {
  return Array.from({ length: n }, (_, i) => i % distinct);
}

describe("encodeTarget task inference", () => {
  it.each<[string, Column, Task | undefined, Task, string]>([
    ["two integer values", numeric([0, 1, 1, 0]), undefined, "classification", "few_integer_values"],
    ["text labels", text(["yes", "no", "yes"]), undefined, "classification", "text_labels"],
    ["20 integer values over 1000 rows (2%)", numeric(cycle(1000, 20)), undefined, "classification", "few_integer_values"],
    ["21 integer values over 1000 rows", numeric(cycle(1000, 21)), undefined, "regression", "many_or_fractional_values"],
    ["5 integer values over 100 rows (exactly 5%)", numeric(cycle(100, 5)), undefined, "regression", "many_or_fractional_values"],
    ["5 integer values over 101 rows", numeric(cycle(101, 5)), undefined, "classification", "few_integer_values"],
    ["fractional values", numeric([0.5, 1, 1.5, 2]), undefined, "regression", "many_or_fractional_values"],
    ["a given task", numeric(cycle(1000, 21)), "classification", "classification", "given"],
  ])("%s → %s", (_what, column, task, expectedTask, rule) => {
    const encoded = encodeTarget(column, task);
    expect(encoded.task).toBe(expectedTask);
    expect(encoded.rule).toBe(rule);
  });
});

describe("encodeTarget encoding", () => {
  it("sorts integer labels numerically and codes rows, dropping missing targets", () => {
    const encoded = encodeTarget(numeric([10, 9, Number.NaN, 2, 10, Number.NaN, 9]), "classification");
    expect(encoded.classes).toEqual(["2", "9", "10"]);
    expect(Array.from(encoded.y)).toEqual([2, 1, 0, 2, 1]);
    expect(Array.from(encoded.rows)).toEqual([0, 1, 3, 4, 6]);
    expect(encoded.droppedRows).toBe(2);
  });

  it("sorts text labels lexicographically, and integer text numerically", () => {
    const encoded = encodeTarget(text(["b", null, "B", "a", "b"]));
    expect(encoded.classes).toEqual(["B", "a", "b"]);
    expect(Array.from(encoded.y)).toEqual([2, 0, 1, 2]);
    expect(encoded.droppedRows).toBe(1);
    expect(sortLabels(["10", "9", "-1"])).toEqual(["-1", "9", "10"]);
  });

  it("keeps regression values as they are", () => {
    const encoded = encodeTarget(numeric([1.5, Number.NaN, -2.25]), "regression");
    expect(Array.from(encoded.y)).toEqual([1.5, -2.25]);
    expect(encoded.classes).toEqual([]);
  });
});

describe("encodeTarget rejects", () => {
  it.each<[string, Column, Task | undefined, RegExp]>([
    ["an empty target", numeric([Number.NaN, Number.NaN]), undefined, /data\.csv: target column "churn" is empty: all 2 rows are missing/],
    ["a constant numeric target", numeric([3, 3, Number.NaN, 3]), undefined, /target column "churn" is constant: every row holds 3/],
    ["a constant text target", text(["yes", "yes"]), undefined, /target column "churn" is constant: every row holds "yes"/],
    ["a text target for regression", text([null, "yes", "no"]), "regression", /holds text \("yes" at data row 2\); a regression target must be numeric/],
    [
      "fractional labels for classification",
      numeric([1, 2, 2.5]),
      "classification",
      /holds the fractional value 2\.5 at data row 3; classification needs integer or text labels/,
    ],
    ["an infinite value", numeric([1, Number.POSITIVE_INFINITY, 2]), undefined, /holds Infinity at data row 2; targets must be finite/],
  ])("%s", (_what, column, task, message) => {
    expect(() => encodeTarget(column, task, { source: "data.csv" })).toThrow(DataError);
    expect(() => encodeTarget(column, task, { source: "data.csv" })).toThrow(message);
  });
});

describe("encodeTargetLike", () => {
  it("codes a holdout target with the training classes, even when one is absent", () => {
    const training = encodeTarget(text(["no", "yes", "maybe", "no"]));
    const holdout = encodeTargetLike(text(["yes", null, "yes", "no"]), training);
    expect(holdout.classes).toEqual(["maybe", "no", "yes"]);
    expect(Array.from(holdout.y)).toEqual([2, 2, 1]);
    expect(Array.from(holdout.rows)).toEqual([0, 2, 3]);
    expect(holdout.droppedRows).toBe(1);
  });

  it("matches integer labels by value", () => {
    const training = encodeTarget(numeric([0, 1, 2, 1]), "classification");
    expect(Array.from(encodeTargetLike(numeric([2, 0]), training).y)).toEqual([2, 0]);
  });

  it.each<[string, Column, RegExp]>([
    [
      "a class the training data does not have",
      text(["no", "perhaps"]),
      /holdout\.csv: target column "churn" holds the class "perhaps" at data row 2, which the training data does not have \(classes: "no", "yes"\)/,
    ],
    ["a target with no values", text([null]), /target column "churn" is empty: all 1 rows are missing/],
  ])("rejects %s", (_what, column, message) => {
    const training = encodeTarget(text(["no", "yes"]));
    expect(() => encodeTargetLike(column, training, { source: "holdout.csv" })).toThrow(message);
  });

  it("rejects text in a regression holdout", () => {
    const training = encodeTarget(numeric([1.5, 2.5, 3.5]), "regression");
    expect(() => encodeTargetLike(text(["high"]), training)).toThrow(/holds text \("high" at data row 1\)/);
  });
});
