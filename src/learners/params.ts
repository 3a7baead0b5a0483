/**
 * Checks of learner hyperparameters at fit time. Their types and the checks
 * `validate` runs come from the schemas in `config/learner-params.ts`; these
 * checks guard values that did not pass through a pipeline file (library
 * callers, sampled tuning ranges) and name the parameter and the value.
 */
import { DataError, MetaControllerError } from "../common/errors.js";
import type { RandomForestParams } from "../config/learner-params.js";
import type { Task } from "./model.js";

/** A hyperparameter has a value the learner cannot use. */
export class LearnerParamError extends MetaControllerError {
  /** The parameter's name as written in the YAML, e.g. `max_depth`. */
  readonly param: string;
  /** The value it got. */
  readonly value: unknown;
  constructor(param: string, value: unknown, expected: string) {
    super(
      `model_training.params.${param}: got ${JSON.stringify(value) ?? String(value)}, expected ${expected}`,
    );
    this.param = param;
    this.value = value;
  }
}

/**
 * How many features a split may look at: `"sqrt"`, `"log2"`, a fraction in
 * (0, 1) of the features, an integer count ≥ 1, or `null` for all of them.
 * JavaScript cannot tell `1` from `1.0`, so `1` means one feature; write
 * `null` for "all features" (scikit-learn's `1.0`).
 */
export type MaxFeatures = Exclude<RandomForestParams["max_features"], undefined>;

/**
 * Class weights: none, inversely proportional to class frequencies in the
 * training rows (`balanced`) or in each bootstrap sample
 * (`balanced_subsample`, forests only), or an explicit map from class index
 * (`"0"`, `"1"`, …) to weight; classes missing from the map weigh 1.
 */
export type ClassWeight = Exclude<RandomForestParams["class_weight"], undefined>;

/** What every tree learner needs to know besides its parameters. */
export interface FitContext {
  readonly task: Task;
  /** Number of classes (targets are class indices 0…nClasses-1); 1 for regression. */
  readonly nClasses: number;
  /** Seed of every random draw (bootstrap, feature sampling, validation split). */
  readonly seed: number;
  /** Worker threads for forests; default `os.availableParallelism()`. */
  readonly threads?: number;
}

/** Checks that a value is an integer in [min, max], or throws naming the parameter. */
export function checkInteger(
  param: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`;
    throw new LearnerParamError(param, value, range);
  }
  return value;
}

/** Checks that a value is a finite number in [min, max] (or (min, max] when `openMin`). */
export function checkNumber(
  param: string,
  value: unknown,
  min: number,
  max: number,
  openMin = false,
): number {
  if (
    typeof value !== "number" ||
    !Number.isFinite(value) ||
    (openMin ? value <= min : value < min) ||
    value > max
  ) {
    const lower = openMin ? `(${min}` : `[${min}`;
    const upper = max === Infinity ? "∞)" : `${max}]`;
    throw new LearnerParamError(param, value, `a number in ${lower}, ${upper}`);
  }
  return value;
}

/** Checks an optional depth/leaf limit: `null`/absent means none (returned as `Infinity`). */
export function checkOptionalLimit(param: string, value: unknown, min: number): number {
  if (value === null || value === undefined) return Infinity;
  return checkInteger(param, value, min);
}

/** Checks a boolean flag. */
export function checkBoolean(param: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new LearnerParamError(param, value, "true or false");
  return value;
}

/** Resolves `max_features` to a feature count, as scikit-learn does. */
export function resolveMaxFeatures(value: unknown, nFeatures: number): number {
  if (value === null || value === undefined) return nFeatures;
  if (value === "sqrt") return Math.max(1, Math.floor(Math.sqrt(nFeatures)));
  if (value === "log2") return Math.max(1, Math.floor(Math.log2(nFeatures)));
  if (typeof value === "number" && Number.isFinite(value)) {
    if (Number.isInteger(value) && value >= 1 && value <= nFeatures) return value;
    if (value > 0 && value < 1) return Math.max(1, Math.floor(value * nFeatures));
  }
  throw new LearnerParamError(
    "max_features",
    value,
    `"sqrt", "log2", null, a fraction in (0, 1) or an integer in [1, ${nFeatures}]`,
  );
}

/**
 * Turns `class_weight` into one weight per class, from the class counts of
 * the rows it applies to (scikit-learn's `n / (k · count)` for `balanced`).
 */
export function resolveClassWeights(value: ClassWeight | undefined, classCounts: Float64Array): Float64Array {
  const k = classCounts.length;
  const weights = new Float64Array(k).fill(1);
  if (value === null || value === undefined) return weights;
  if (value === "balanced" || value === "balanced_subsample") {
    let total = 0;
    let present = 0;
    for (let c = 0; c < k; c++) {
      total += classCounts[c]!;
      if (classCounts[c]! > 0) present++;
    }
    // scikit-learn divides by the number of classes present in y.
    for (let c = 0; c < k; c++) {
      const count = classCounts[c]!;
      weights[c] = count > 0 ? total / (present * count) : 0;
    }
    return weights;
  }
  if (typeof value === "object") {
    for (const [key, w] of Object.entries(value)) {
      const c = Number(key);
      if (!Number.isInteger(c) || c < 0 || c >= k) {
        throw new LearnerParamError(
          "class_weight",
          value,
          `keys that are class indices 0…${k - 1}; "${key}" is not`,
        );
      }
      if (typeof w !== "number" || !Number.isFinite(w) || w < 0) {
        throw new LearnerParamError(
          "class_weight",
          value,
          `non-negative weights; class ${key} has ${String(w)}`,
        );
      }
      weights[c] = w;
    }
    return weights;
  }
  throw new LearnerParamError(
    "class_weight",
    value,
    `null, "balanced", "balanced_subsample" or a map class → weight`,
  );
}

/** Checks that the task, class count, targets and features fit together. */
export function checkTrainingData(
  nRows: number,
  nFeatures: number,
  columns: readonly Float64Array[],
  y: Float64Array,
  task: Task,
  nClasses: number,
): void {
  if (nRows < 1) throw new DataError("the training set has no rows");
  if (nFeatures < 1) throw new DataError("the training set has no feature columns");
  if (y.length !== nRows) throw new DataError(`the target has ${y.length} values for ${nRows} training rows`);
  for (let j = 0; j < nFeatures; j++) {
    if (columns[j]!.length !== nRows) {
      throw new DataError(`feature column ${j} has ${columns[j]!.length} values for ${nRows} training rows`);
    }
  }
  if (task === "classification") {
    if (!Number.isInteger(nClasses) || nClasses < 2 || nClasses > 65535) {
      throw new DataError(`a classification target needs 2…65535 classes, got ${nClasses}`);
    }
    for (let i = 0; i < nRows; i++) {
      const v = y[i]!;
      if (!Number.isInteger(v) || v < 0 || v >= nClasses) {
        throw new DataError(
          `training target at row ${i}: got ${v}, expected a class index in 0…${nClasses - 1}`,
        );
      }
    }
  } else {
    for (let i = 0; i < nRows; i++) {
      if (!Number.isFinite(y[i]!))
        throw new DataError(`training target at row ${i}: got ${y[i]}, expected a finite number`);
    }
  }
}
