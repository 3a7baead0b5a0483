/**
 * Search spaces: named parameters, each a distribution. Built either from
 * scikit-learn's `param_grid` (lists, where `null` means "no limit" and is
 * kept as `null`) or from explicit distributions. Parameters are kept in
 * sorted name order so the same space always enumerates, samples and hashes
 * the same way whatever order the YAML listed them in.
 */
import { createHash } from "node:crypto";
import { TuningError } from "./errors.js";

/** A hyperparameter value. `null` means "no limit" (e.g. `max_depth: null`). */
export type ParamValue = number | string | boolean | null;

/** A parameter assignment, one value per parameter of the space. */
export type Params = Readonly<Record<string, ParamValue>>;

/** An integer range; `step` (default 1) spaces the values, `log` samples on a log scale. */
export interface IntDistribution {
  readonly type: "int";
  readonly low: number;
  readonly high: number;
  readonly log: boolean;
  readonly step: number;
}

/** A float range; a `step` makes it discrete, `log` samples on a log scale. */
export interface FloatDistribution {
  readonly type: "float";
  readonly low: number;
  readonly high: number;
  readonly log: boolean;
  readonly step: number | undefined;
}

/** A finite set of choices, in the order given. */
export interface CategoricalDistribution {
  readonly type: "categorical";
  readonly choices: readonly ParamValue[];
}

/** Any parameter distribution. */
export type Distribution = IntDistribution | FloatDistribution | CategoricalDistribution;

/** One named parameter. */
export interface SearchParam {
  readonly name: string;
  readonly distribution: Distribution;
}

/** A validated search space, parameters sorted by name. */
export interface SearchSpace {
  readonly params: readonly SearchParam[];
}

/** A distribution as a user writes it (`log` and `step` optional). */
export type DistributionSpec =
  | {
      readonly type: "int";
      readonly low: number;
      readonly high: number;
      readonly log?: boolean;
      readonly step?: number;
    }
  | {
      readonly type: "float";
      readonly low: number;
      readonly high: number;
      readonly log?: boolean;
      readonly step?: number;
    }
  | { readonly type: "categorical"; readonly choices: readonly ParamValue[] };

/** What a user writes: per parameter, a list (grid values) or a distribution. */
export type SearchSpaceSpec = Readonly<Record<string, readonly ParamValue[] | DistributionSpec>>;

function isParamValue(value: unknown): value is ParamValue {
  return (
    value === null ||
    typeof value === "string" ||
    typeof value === "boolean" ||
    (typeof value === "number" && Number.isFinite(value))
  );
}

/** Shows a rejected value; `JSON.stringify` gives `undefined` for functions and undefined itself. */
function describeValue(value: unknown): string {
  return JSON.stringify(value) ?? typeof value;
}

function checkChoices(choices: readonly unknown[], field: string): readonly ParamValue[] {
  if (choices.length === 0)
    throw new TuningError(`${field} is an empty list; give at least one value`, field);
  choices.forEach((choice, i) => {
    if (!isParamValue(choice)) {
      throw new TuningError(
        `${field}[${i}] is ${describeValue(choice)}; values must be numbers, strings, booleans or null`,
        field,
      );
    }
  });
  return choices as readonly ParamValue[];
}

function checkRange(spec: DistributionSpec & { type: "int" | "float" }, field: string): Distribution {
  const { low, high } = spec;
  const log = spec.log ?? false;
  if (
    typeof low !== "number" ||
    !Number.isFinite(low) ||
    typeof high !== "number" ||
    !Number.isFinite(high)
  ) {
    throw new TuningError(
      `${field}: low and high must be finite numbers, got low=${low} high=${high}`,
      field,
    );
  }
  if (low > high) throw new TuningError(`${field}: low (${low}) is greater than high (${high})`, field);
  if (log && low <= 0) throw new TuningError(`${field}: a log scale needs low > 0, got low=${low}`, field);
  const step = spec.step;
  if (step !== undefined && (!Number.isFinite(step) || step <= 0)) {
    throw new TuningError(`${field}: step must be a number > 0, got ${step}`, field);
  }
  if (log && step !== undefined && step !== 1) {
    throw new TuningError(`${field}: step and log cannot be combined (step=${step})`, field);
  }
  if (spec.type === "int") {
    if (!Number.isInteger(low) || !Number.isInteger(high)) {
      throw new TuningError(
        `${field}: an int range needs integer bounds, got low=${low} high=${high}`,
        field,
      );
    }
    if (step !== undefined && !Number.isInteger(step)) {
      throw new TuningError(`${field}: an int range needs an integer step, got ${step}`, field);
    }
    return { type: "int", low, high, log, step: step ?? 1 };
  }
  return { type: "float", low, high, log, step };
}

function buildDistribution(spec: unknown, field: string): Distribution {
  if (Array.isArray(spec)) return { type: "categorical", choices: checkChoices(spec, field) };
  if (typeof spec !== "object" || spec === null || !("type" in spec)) {
    throw new TuningError(
      `${field} must be a list of values or a distribution {type: int | float | categorical, …}, got ${JSON.stringify(spec)}`,
      field,
    );
  }
  const typed = spec as DistributionSpec;
  switch (typed.type) {
    case "categorical":
      if (!Array.isArray(typed.choices))
        throw new TuningError(`${field}.choices must be a list`, `${field}.choices`);
      return { type: "categorical", choices: checkChoices(typed.choices, `${field}.choices`) };
    case "int":
    case "float":
      return checkRange(typed, field);
    default:
      throw new TuningError(
        `${field}.type is ${JSON.stringify((typed as { type: unknown }).type)}; expected int, float or categorical`,
        `${field}.type`,
      );
  }
}

/**
 * Validates a user's search space. `prefix` names the section in errors
 * (`param_grid`, `search_space`). Throws {@link TuningError} for an empty
 * space or list, `low > high`, a log scale from 0, a bad step.
 */
export function buildSearchSpace(spec: SearchSpaceSpec, prefix = "param_grid"): SearchSpace {
  const names = Object.keys(spec).sort();
  if (names.length === 0)
    throw new TuningError(`${prefix} is empty; name at least one parameter to tune`, prefix);
  return {
    params: names.map((name) => ({ name, distribution: buildDistribution(spec[name], `${prefix}.${name}`) })),
  };
}

/** Sorts keys recursively so equal values serialise to equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** A short, stable fingerprint of a space: `sha256:` + 16 hex digits. Shard files carry it. */
export function computeSpaceHash(space: SearchSpace): string {
  return `sha256:${createHash("sha256").update(canonicalJson(space.params)).digest("hex").slice(0, 16)}`;
}

/** Canonical text of a value, used for hashing and for comparing parameter sets. */
export function formatCanonical(value: unknown): string {
  return canonicalJson(value);
}
