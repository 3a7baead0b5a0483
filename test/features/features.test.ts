import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DataError } from "../../src/common/errors.js";
import { takeRows } from "../../src/data/frame.js";
import { fitFeatures } from "../../src/features/fit.js";
import type {
  CategoricalFeatureOptions,
  FeatureOptions,
  NumericFeatureOptions,
} from "../../src/features/options.js";
import { transformFeatures } from "../../src/features/transform.js";
import type { FittedCategoricalFeature, FittedNumericFeature } from "../../src/features/types.js";
import { buildFrame, range } from "./golden-frame.js";

interface NumericCase {
  kind: "numeric";
  column: string;
  options: NumericFeatureOptions;
  impute_value: number;
  offset: number;
  scale: number;
  train: number[];
  test: number[];
}

interface CategoricalCase {
  kind: "categorical";
  column: string;
  options: CategoricalFeatureOptions;
  impute_value: string;
  categories: string[];
  rare_categories: string[];
  train: number[][];
  test: number[][];
}

const golden = JSON.parse(
  readFileSync(new URL("../fixtures/data/features-golden.json", import.meta.url), "utf8"),
) as {
  n_train: number;
  columns: Record<string, (number | string | null)[]>;
  cases: (NumericCase | CategoricalCase)[];
};

const frame = buildFrame(golden.columns);
const trainRows = range(0, golden.n_train);
const testRows = range(golden.n_train, frame.nRows);
const numericCases = golden.cases.filter((c): c is NumericCase => c.kind === "numeric");
const categoricalCases = golden.cases.filter((c): c is CategoricalCase => c.kind === "categorical");

/** Within float32 precision of scikit-learn's float64 value. */
function expectFloat32Close(actual: number, expected: number, what: string): void {
  expect(Math.abs(actual - expected), what).toBeLessThanOrEqual(4e-6 * Math.max(1, Math.abs(expected)));
  expect(Math.fround(actual), `${what} is a float32 value`).toBe(actual);
}

function describeCase(c: NumericCase | CategoricalCase): string {
  return `${c.column} ${JSON.stringify(c.options)}`;
}

describe("numeric features against SimpleImputer + StandardScaler/MinMaxScaler", () => {
  it.each(numericCases.map((c) => [describeCase(c), c] as const))("%s", (_label, c) => {
    // Arrange
    const options: FeatureOptions = {
      numeric_features: [c.column],
      numeric_columns: { [c.column]: c.options },
    };
    // Act
    const fitted = fitFeatures(frame, options, trainRows);
    const train = transformFeatures(fitted, frame, trainRows);
    const test = transformFeatures(fitted, frame, testRows);
    // Assert
    const feature = fitted.features[0] as FittedNumericFeature;
    expectFloat32Close(feature.imputeValue, c.impute_value, "impute value");
    expectFloat32Close(feature.offset, c.offset, "offset");
    expectFloat32Close(feature.scale, c.scale, "scale");
    expect(train.names).toEqual([c.column]);
    c.train.forEach((v, i) => expectFloat32Close(train.columns[0]![i]!, v, `train row ${i}`));
    c.test.forEach((v, i) => expectFloat32Close(test.columns[0]![i]!, v, `test row ${i}`));
  });
});

describe("categorical features against SimpleImputer + OneHotEncoder(min_frequency, handle_unknown='ignore')", () => {
  it.each(categoricalCases.map((c) => [describeCase(c), c] as const))("%s", (_label, c) => {
    const options: FeatureOptions = {
      numeric_features: [],
      categorical_features: [c.column],
      categorical_columns: { [c.column]: c.options },
    };
    const fitted = fitFeatures(frame, options, trainRows);
    const train = transformFeatures(fitted, frame, trainRows);
    const test = transformFeatures(fitted, frame, testRows);
    const feature = fitted.features[0] as FittedCategoricalFeature;
    expect(feature.imputeValue).toBe(c.impute_value);
    expect(feature.categories).toEqual(c.categories);
    expect(feature.rareCategories).toEqual(c.rare_categories);
    expect(train.columns.map((col) => Array.from(col))).toEqual(c.train);
    expect(test.columns.map((col) => Array.from(col))).toEqual(c.test);
    const other = c.rare_categories.length > 0 ? [`${c.column}=__other__`] : [];
    expect(fitted.outputNames).toEqual([...c.categories.map((k) => `${c.column}=${k}`), ...other]);
  });

  it("gives a category unseen in training all zeros", () => {
    const fitted = fitFeatures(frame, { numeric_features: [], categorical_features: ["plan"] }, trainRows);
    const unseen = buildFrame({ plan: ["never seen", "A"] });
    const matrix = transformFeatures(fitted, unseen);
    expect(matrix.columns.map((col) => col[0])).toEqual(matrix.columns.map(() => 0));
    expect(matrix.columns.map((col) => col[1]).reduce((a, b) => a! + b!, 0)).toBe(1);
  });
});

describe("fitFeatures", () => {
  it("learns from the training rows only: changing the test rows changes nothing", () => {
    const options: FeatureOptions = {
      numeric_features: ["age", "income k/yr"],
      categorical_features: ["plan"],
    };
    const altered = buildFrame({
      ...golden.columns,
      age: golden.columns.age!.map((v, i) => (i >= golden.n_train ? 1e6 : v)),
      plan: golden.columns.plan!.map((v, i) => (i >= golden.n_train ? "Q" : v)),
    });
    expect(fitFeatures(altered, options, trainRows)).toEqual(fitFeatures(frame, options, trainRows));
    expect(fitFeatures(takeRows(frame, trainRows), options, trainRows)).toEqual(
      fitFeatures(frame, options, trainRows),
    );
  });

  it("puts numeric columns first, then one-hot columns, in the listed order", () => {
    const fitted = fitFeatures(
      frame,
      {
        numeric_features: ["income k/yr", "age"],
        categorical_features: ["tie"],
        numeric: { scaling: "none" },
        categorical: { min_frequency: 15 },
      },
      trainRows,
    );
    expect(fitted.outputNames).toEqual(["income k/yr", "age", "tie=x", "tie=y", "tie=__other__"]);
    const matrix = transformFeatures(fitted, frame);
    expect(matrix.nRows).toBe(frame.nRows);
    expect(matrix.columns).toHaveLength(5);
  });

  it.each([
    [
      "a missing column, listing the ones that exist",
      { numeric_features: ["agee"] },
      /feature column "agee" not found; the data has 6 columns: "age", "income k\/yr", "flat", "plan", "city zone", "tie"/,
    ],
    [
      "a text column listed as numeric, naming the value and row",
      { numeric_features: ["plan"] },
      /data row 1: feature column "plan" is listed in numeric_features but holds the text "[A-F]" \(\d+ of its \d+ values are text\); list it in categorical_features/,
    ],
    [
      "a column listed twice",
      { numeric_features: ["age"], categorical_features: ["age"] },
      /"age" is listed twice/,
    ],
    ["no features", { numeric_features: [], categorical_features: [] }, /no features/],
    [
      "options for a column that is not listed",
      { numeric_features: ["age"], numeric_columns: { agee: { scaling: "none" } } },
      /feature options \(numeric_columns\) name the column "agee", which is not listed in numeric_features/,
    ],
    [
      "a bad min_frequency",
      { numeric_features: [], categorical_features: ["plan"], categorical: { min_frequency: 1.5 } },
      /feature column "plan": min_frequency=1.5 must be a whole count ≥ 1 or a fraction in \(0, 1\)/,
    ],
  ] as const)("rejects %s", (_what, options: FeatureOptions, message) => {
    expect(() => fitFeatures(frame, options, trainRows)).toThrow(DataError);
    expect(() => fitFeatures(frame, options, trainRows)).toThrow(message);
  });

  it("rejects median imputation of a column with no training values, but accepts a constant", () => {
    const empty = buildFrame({ x: [null, null, 1] });
    const rows = range(0, 2);
    expect(() => fitFeatures(empty, { numeric_features: ["x"] }, rows)).toThrow(
      /feature column "x" has no values in the 2 training rows, so its median is undefined/,
    );
    const fitted = fitFeatures(
      empty,
      { numeric_features: ["x"], numeric: { imputation: "constant", fill_value: 2 } },
      rows,
    );
    // Both training rows impute to 2, a constant column: offset 2, scale 1.
    expect(Array.from(transformFeatures(fitted, empty).columns[0]!)).toEqual([0, 0, -1]);
  });

  it("rejects a value beyond float32 range, naming the row", () => {
    const huge = buildFrame({ x: [1, 1e300, 2] });
    expect(() => fitFeatures(huge, { numeric_features: ["x"] }, range(0, 3))).toThrow(
      /feature column "x": the value 1e\+300 at data row 2 is outside the float32 range/,
    );
  });
});
