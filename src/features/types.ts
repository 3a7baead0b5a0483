/**
 * The fitted feature transform: what `fit` learned from the training rows,
 * enough to transform new rows in TypeScript and to write the same steps as
 * ONNX operators (Imputer, Scaler, OneHotEncoder, Concat).
 */

/** A numeric column: impute, then `(x - offset) * scale`. */
export interface FittedNumericFeature {
  readonly kind: "numeric";
  readonly name: string;
  /** Replaces a missing value. */
  readonly imputeValue: number;
  /** `offset` 0 and `scale` 1 when scaling is `none`. */
  readonly offset: number;
  readonly scale: number;
}

/** A categorical column: impute, then one-hot over `categories` (+ an "other" column for rare ones). */
export interface FittedCategoricalFeature {
  readonly kind: "categorical";
  readonly name: string;
  /** Replaces a missing value. */
  readonly imputeValue: string;
  /** Categories that get their own column, in output order. */
  readonly categories: readonly string[];
  /** Categories seen in training but rarer than `min_frequency`; they share the last, "other" column. */
  readonly rareCategories: readonly string[];
}

/** One fitted column transform. */
export type FittedFeature = FittedNumericFeature | FittedCategoricalFeature;

/** The whole fitted transform, in output order. */
export interface FittedFeatures {
  readonly features: readonly FittedFeature[];
  /** Output column names, e.g. `age`, `gender=female`, `gender=__other__`. */
  readonly outputNames: readonly string[];
}

/** Name of the shared column for rare categories, after `=` in {@link FittedFeatures.outputNames}. */
export const OTHER_CATEGORY = "__other__";
