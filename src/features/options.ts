/**
 * What the pipeline asks of the feature transform. Keys use the pipeline
 * YAML's snake_case names so mapping the config onto this is a copy.
 */

/** Numeric imputation strategies. */
export const NUMERIC_IMPUTATIONS = ["median", "mean", "constant"] as const;
/** Scaling methods. */
export const SCALINGS = ["standard", "minmax", "none"] as const;
/** Categorical imputation strategies. */
export const CATEGORICAL_IMPUTATIONS = ["most_frequent", "constant"] as const;

/** How one numeric column is prepared. */
export interface NumericFeatureOptions {
  /** Default `median`. */
  readonly imputation?: (typeof NUMERIC_IMPUTATIONS)[number];
  /** Value for `constant` imputation, default 0. */
  readonly fill_value?: number;
  /** Default `standard` (zero mean, unit variance; a constant column gets scale 1). */
  readonly scaling?: (typeof SCALINGS)[number];
}

/** How one categorical column is prepared. */
export interface CategoricalFeatureOptions {
  /** Default `most_frequent` (ties go to the smallest value, as in scikit-learn). */
  readonly imputation?: (typeof CATEGORICAL_IMPUTATIONS)[number];
  /** Value for `constant` imputation, default `missing_value` (scikit-learn's). */
  readonly fill_value?: string;
  /**
   * Categories seen fewer times than this in the training rows share one
   * "other" column: a whole count ≥ 1, or a fraction in (0, 1) of the
   * training rows (scikit-learn's `OneHotEncoder(min_frequency)`). Default 1
   * (every category gets its own column).
   */
  readonly min_frequency?: number;
}

/** The whole feature transform request. */
export interface FeatureOptions {
  readonly numeric_features: readonly string[];
  /** Absent and empty both mean none. */
  readonly categorical_features?: readonly string[];
  /** Defaults for every numeric feature. */
  readonly numeric?: NumericFeatureOptions;
  /** Defaults for every categorical feature. */
  readonly categorical?: CategoricalFeatureOptions;
  /** Per-column options, over the numeric defaults. */
  readonly numeric_columns?: Readonly<Record<string, NumericFeatureOptions>>;
  /** Per-column options, over the categorical defaults. */
  readonly categorical_columns?: Readonly<Record<string, CategoricalFeatureOptions>>;
}

/** Numeric options with every default filled in. */
export interface ResolvedNumericOptions {
  readonly imputation: (typeof NUMERIC_IMPUTATIONS)[number];
  readonly fill_value: number;
  readonly scaling: (typeof SCALINGS)[number];
}

/** Categorical options with every default filled in. */
export interface ResolvedCategoricalOptions {
  readonly imputation: (typeof CATEGORICAL_IMPUTATIONS)[number];
  readonly fill_value: string;
  readonly min_frequency: number;
}

/** The options of one numeric column: its own, then the defaults, then the built-in defaults. */
export function resolveNumericOptions(options: FeatureOptions, column: string): ResolvedNumericOptions {
  const own = options.numeric_columns?.[column] ?? {};
  const base = options.numeric ?? {};
  return {
    imputation: own.imputation ?? base.imputation ?? "median",
    fill_value: own.fill_value ?? base.fill_value ?? 0,
    scaling: own.scaling ?? base.scaling ?? "standard",
  };
}

/** The options of one categorical column, resolved like {@link resolveNumericOptions}. */
export function resolveCategoricalOptions(
  options: FeatureOptions,
  column: string,
): ResolvedCategoricalOptions {
  const own = options.categorical_columns?.[column] ?? {};
  const base = options.categorical ?? {};
  return {
    imputation: own.imputation ?? base.imputation ?? "most_frequent",
    fill_value: own.fill_value ?? base.fill_value ?? "missing_value",
    min_frequency: own.min_frequency ?? base.min_frequency ?? 1,
  };
}
