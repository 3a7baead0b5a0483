/** Loads the scikit-learn goldens (test/fixtures/onnx/generate.py) into project types. */
import { readFileSync } from "node:fs";
import type { Frame } from "../../src/data/frame.js";
import type { FittedFeatures } from "../../src/features/types.js";
import type {
  FittedModel,
  LinearModel,
  PostTransform,
  Task,
  TreeEnsembleModel,
} from "../../src/learners/model.js";

interface JsonTree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
  nOutputs: number;
}

type JsonModel =
  | {
      kind: "tree_ensemble";
      task: Task;
      trees: JsonTree[];
      aggregation: "average" | "sum";
      baseScore: number[];
      postTransform: PostTransform;
      nFeatures: number;
      nClasses: number;
    }
  | {
      kind: "linear";
      task: Task;
      coefficients: number[];
      intercepts: number[];
      postTransform: PostTransform;
      nFeatures: number;
      nClasses: number;
    };

/** One fitted scikit-learn model with its outputs on the holdout. */
export interface GoldenCase {
  name: string;
  task: Task;
  model: JsonModel;
  classes?: (string | number)[];
  expected: { labels?: (string | number)[]; probabilities?: number[]; prediction?: number[] };
}

type RawColumns = { x1: (number | null)[]; x2: (number | null)[]; color: string[] };

/** The whole fixture file. */
export interface Goldens {
  features: FittedFeatures;
  train: RawColumns & { y_bin: number[]; y_multi: string[]; y_reg: number[] };
  holdout: RawColumns;
  holdout_matrix: number[];
  cases: GoldenCase[];
}

/** Reads the fixture. */
export function loadGoldens(): Goldens {
  const url = new URL("../fixtures/onnx/sklearn-goldens.json", import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")) as Goldens;
}

/** Converts a fixture model to the project's model contract. */
export function toModel(json: JsonModel): FittedModel {
  if (json.kind === "linear") {
    return {
      ...json,
      coefficients: Float64Array.from(json.coefficients),
      intercepts: Float64Array.from(json.intercepts),
    } satisfies LinearModel;
  }
  return {
    ...json,
    baseScore: Float64Array.from(json.baseScore),
    trees: json.trees.map((t) => ({
      feature: Int32Array.from(t.feature),
      threshold: Float64Array.from(t.threshold),
      left: Int32Array.from(t.left),
      right: Int32Array.from(t.right),
      value: Float64Array.from(t.value),
      nOutputs: t.nOutputs,
    })),
  } satisfies TreeEnsembleModel;
}

/** Raw fixture columns as ONNX inputs: null → NaN, "" stays the missing marker. */
export function toOnnxColumns(raw: RawColumns): { x1: Float32Array; x2: Float32Array; color: string[] } {
  return {
    x1: Float32Array.from(raw.x1, (v) => v ?? Number.NaN),
    x2: Float32Array.from(raw.x2, (v) => v ?? Number.NaN),
    color: raw.color,
  };
}

/** Raw fixture columns as a Frame ("" is a missing category, code -1). */
export function toFrame(raw: RawColumns): Frame {
  const dictionary = [...new Set(raw.color.filter((c) => c !== ""))].sort();
  return {
    nRows: raw.color.length,
    columns: [
      { kind: "numeric", name: "x1", values: Float64Array.from(raw.x1, (v) => v ?? Number.NaN) },
      { kind: "numeric", name: "x2", values: Float64Array.from(raw.x2, (v) => v ?? Number.NaN) },
      {
        kind: "categorical",
        name: "color",
        codes: Int32Array.from(raw.color, (c) => (c === "" ? -1 : dictionary.indexOf(c))),
        dictionary,
      },
    ],
  };
}
