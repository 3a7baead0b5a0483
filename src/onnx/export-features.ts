/**
 * The feature half of the exported graph, laid out the way skl2onnx lays out
 * a ColumnTransformer: one graph input per raw column, one small chain of
 * ai.onnx.ml operators per column, then one Concat.
 *
 * Numeric columns: `Concat` of consecutive numeric inputs → `Imputer` (NaN →
 * impute value, per column) → `Scaler` computing `(x - offset) * scale` in
 * float32, per column.
 * Categorical column: `LabelEncoder` (string → column index, rare categories
 * → the "other" column, the empty string — a missing value — → the impute
 * value's column, anything unseen → -1) → `OneHotEncoder` with `zeros = 1`
 * (so -1 gives an all-zero row) → `Flatten` from `[N, 1, C]` to `[N, C]`.
 */
import { OnnxError } from "../common/errors.js";
import type { FittedCategoricalFeature, FittedFeatures, FittedNumericFeature } from "../features/types.js";
import type { OnnxNode, OnnxValueInfo } from "./onnx-model.js";

/** The string an ONNX categorical input carries for a missing value. */
export const MISSING_CATEGORY = "";

const ML = "ai.onnx.ml";

/** What the feature part adds to the graph. */
export interface FeatureGraph {
  readonly inputs: readonly OnnxValueInfo[];
  readonly nodes: readonly OnnxNode[];
  /** Name of the `[N, F]` float tensor the learner reads. */
  readonly output: string;
  /** F: number of columns of `output`. */
  readonly width: number;
}

/**
 * Maps each category string of a categorical column to its one-hot column:
 * own categories in order, rare ones to the trailing "other" column, the
 * missing marker to wherever the impute value goes.
 */
export function buildCategoryIndex(feature: FittedCategoricalFeature): Map<string, number> {
  const index = new Map<string, number>();
  feature.categories.forEach((category, k) => index.set(category, k));
  const other = feature.categories.length;
  for (const category of feature.rareCategories) if (!index.has(category)) index.set(category, other);
  if (!index.has(MISSING_CATEGORY)) index.set(MISSING_CATEGORY, index.get(feature.imputeValue) ?? -1);
  return index;
}

/** Number of one-hot columns a categorical column produces. */
export function categoricalWidth(feature: FittedCategoricalFeature): number {
  return feature.categories.length + (feature.rareCategories.length > 0 ? 1 : 0);
}

/**
 * Nodes for a run of consecutive numeric columns: one Concat → Imputer →
 * Scaler block. The arithmetic per value is the same as per-column nodes,
 * but a wide table runs three kernels instead of two per column, which is
 * what dominates single-row latency. Returns the block's output name.
 */
function buildNumericBlock(run: readonly FittedNumericFeature[], b: number, nodes: OnnxNode[]): string {
  const names = run.map((f) => f.name);
  const raw = names.length === 1 ? names[0]! : `numeric${b}_raw`;
  if (names.length > 1) {
    nodes.push({
      opType: "Concat",
      domain: "",
      name: `numeric${b}_concat`,
      inputs: names,
      outputs: [raw],
      attributes: [{ name: "axis", type: "int", value: 1 }],
    });
  }
  nodes.push(
    {
      opType: "Imputer",
      domain: ML,
      name: `numeric${b}_imputer`,
      inputs: [raw],
      outputs: [`numeric${b}_imputed`],
      attributes: [
        { name: "imputed_value_floats", type: "floats", value: run.map((f) => f.imputeValue) },
        { name: "replaced_value_float", type: "float", value: Number.NaN },
      ],
    },
    {
      opType: "Scaler",
      domain: ML,
      name: `numeric${b}_scaler`,
      inputs: [`numeric${b}_imputed`],
      outputs: [`numeric${b}_scaled`],
      attributes: [
        { name: "offset", type: "floats", value: run.map((f) => f.offset) },
        { name: "scale", type: "floats", value: run.map((f) => f.scale) },
      ],
    },
  );
  return `numeric${b}_scaled`;
}

/** A numeric column's fitted values must be finite to be written as float attributes. */
function checkNumericFeature(feature: FittedNumericFeature): void {
  for (const [field, value] of [
    ["imputeValue", feature.imputeValue],
    ["offset", feature.offset],
    ["scale", feature.scale],
  ] as const) {
    if (!Number.isFinite(value)) {
      throw new OnnxError(
        `cannot export numeric feature "${feature.name}": ${field} is ${value}, expected a finite number`,
      );
    }
  }
}

/** Nodes one-hot encoding categorical column `j` (LabelEncoder → OneHotEncoder → Flatten); returns the output name. */
function buildCategoricalNodes(
  feature: FittedCategoricalFeature,
  j: number,
  columns: number,
  nodes: OnnxNode[],
): string {
  const index = buildCategoryIndex(feature);
  const keys = [...index.keys()];
  const indexed = `f${j}_index`;
  const encoded = `f${j}_onehot`;
  const flat = `f${j}_flat`;
  nodes.push(
    {
      opType: "LabelEncoder",
      domain: ML,
      name: `f${j}_label_encoder`,
      inputs: [feature.name],
      outputs: [indexed],
      attributes: [
        { name: "keys_strings", type: "strings", value: keys },
        { name: "values_int64s", type: "ints", value: keys.map((k) => index.get(k) ?? -1) },
        { name: "default_int64", type: "int", value: -1 },
      ],
    },
    {
      opType: "OneHotEncoder",
      domain: ML,
      name: `f${j}_one_hot`,
      inputs: [indexed],
      outputs: [encoded],
      attributes: [
        { name: "cats_int64s", type: "ints", value: Array.from({ length: columns }, (_, k) => k) },
        { name: "zeros", type: "int", value: 1 },
      ],
    },
    {
      opType: "Flatten",
      domain: "",
      name: `f${j}_flatten`,
      inputs: [encoded],
      outputs: [flat],
      attributes: [{ name: "axis", type: "int", value: 1 }],
    },
  );
  return flat;
}

/** Builds the inputs and feature nodes for a fitted transform. */
export function buildFeatureGraph(fitted: FittedFeatures): FeatureGraph {
  const inputs: OnnxValueInfo[] = [];
  const nodes: OnnxNode[] = [];
  const parts: string[] = [];
  const seen = new Set<string>();
  let width = 0;
  // Consecutive numeric columns share one block (see buildNumericBlock).
  let numericRun: FittedNumericFeature[] = [];
  let block = 0;
  const flushNumericRun = (): void => {
    if (numericRun.length === 0) return;
    parts.push(buildNumericBlock(numericRun, block++, nodes));
    numericRun = [];
  };
  fitted.features.forEach((feature, j) => {
    if (seen.has(feature.name)) {
      throw new OnnxError(`cannot export features: column "${feature.name}" appears twice`);
    }
    seen.add(feature.name);
    if (feature.kind === "numeric") {
      checkNumericFeature(feature);
      inputs.push({ name: feature.name, elementType: "float", shape: [null, 1] });
      numericRun.push(feature);
      width += 1;
      return;
    }
    flushNumericRun();
    inputs.push({ name: feature.name, elementType: "string", shape: [null, 1] });
    const columns = categoricalWidth(feature);
    if (columns === 0) return;
    parts.push(buildCategoricalNodes(feature, j, columns, nodes));
    width += columns;
  });
  flushNumericRun();
  if (width !== fitted.outputNames.length) {
    throw new OnnxError(
      `cannot export features: they produce ${width} columns but outputNames lists ${fitted.outputNames.length}`,
    );
  }
  if (parts.length === 0) throw new OnnxError("cannot export features: the transform produces no columns");
  nodes.push({
    opType: "Concat",
    domain: "",
    name: "features_concat",
    inputs: parts,
    outputs: ["features"],
    attributes: [{ name: "axis", type: "int", value: 1 }],
  });
  return { inputs, nodes, output: "features", width };
}
