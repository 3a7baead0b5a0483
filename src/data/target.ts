/**
 * Turns the target column into what learners and metrics read: class codes
 * (classification) or values (regression), with the rows whose target is
 * missing dropped and counted, and the task inferred when the pipeline does
 * not name it.
 */
import { DataError } from "../common/errors.js";
import type { Task } from "../learners/model.js";
import type { Column } from "./frame.js";

/** Why the task is what it is, so the output can say so. */
export const TASK_RULES = [
  "given",
  "text_labels",
  "few_integer_values",
  "many_or_fractional_values",
] as const;

/** One of {@link TASK_RULES}. */
export type TaskRule = (typeof TASK_RULES)[number];

/** What each rule means, for messages that say why the task is what it is. */
export const TASK_RULE_TEXT: { readonly [R in TaskRule]: string } = {
  given: "model_training.task names it",
  text_labels: "the target holds text labels",
  few_integer_values: "the target holds few distinct integers (at most 2, or at most 20 and fewer than 5% of the rows)",
  many_or_fractional_values: "the target holds fractional values or many distinct integers",
};

/** An encoded target. */
export interface EncodedTarget {
  readonly task: Task;
  readonly rule: TaskRule;
  /** Class labels in code order (sorted); empty for regression. */
  readonly classes: readonly string[];
  /** Class codes 0…k-1 or target values, one per kept row. */
  readonly y: Float64Array;
  /** Frame row indices of the kept rows, in order; select features with them. */
  readonly rows: Int32Array;
  /** Rows dropped because their target is missing. */
  readonly droppedRows: number;
}

/** Where the target came from, to name it in messages. */
export interface TargetContext {
  /** File path or other label, prefixed to error messages. */
  readonly source?: string;
}

/** Integer targets with at most this many distinct values (and few relative to rows) are classes. */
const MAX_INFERRED_CLASSES = 20;
const MAX_CLASS_RATIO = 0.05;

const INTEGER = /^[+-]?\d+$/;

/** Sorts labels like scikit-learn's `np.unique`: integers numerically, text by code unit. */
export function sortLabels(labels: readonly string[]): string[] {
  const copy = [...labels];
  if (copy.every((l) => INTEGER.test(l))) return copy.sort((a, b) => Number(a) - Number(b));
  return copy.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function prefix(context: TargetContext, name: string): string {
  return `${context.source ? `${context.source}: ` : ""}target column ${JSON.stringify(name)}`;
}

/**
 * Encodes a target column.
 *
 * Inference when `task` is absent: text labels → classification
 * (`text_labels`); integer values with at most 2 distinct, or at most 20
 * distinct and fewer than 5% of rows → classification
 * (`few_integer_values`); otherwise regression
 * (`many_or_fractional_values`).
 *
 * @throws DataError when every target is missing, when the target is
 * constant, when a regression target holds text, or when a classification
 * target holds fractional numbers.
 */
export function encodeTarget(column: Column, task?: Task, context: TargetContext = {}): EncodedTarget {
  const what = prefix(context, column.name);
  const n = column.kind === "numeric" ? column.values.length : column.codes.length;
  const rows: number[] = [];
  if (column.kind === "numeric") {
    for (let i = 0; i < n; i++) if (!Number.isNaN(column.values[i]!)) rows.push(i);
  } else {
    for (let i = 0; i < n; i++) if (column.codes[i]! >= 0) rows.push(i);
  }
  if (rows.length === 0) throw new DataError(`${what} is empty: all ${n} rows are missing`);
  const kept = Int32Array.from(rows);
  const droppedRows = n - kept.length;

  if (column.kind === "categorical") {
    if (task === "regression") {
      const first = kept[0]!;
      throw new DataError(
        `${what} holds text (${JSON.stringify(column.dictionary[column.codes[first]!])} at data row ${first + 1}); ` +
          `a regression target must be numeric`,
      );
    }
    return encodeClasses(
      what,
      kept,
      droppedRows,
      (i) => column.dictionary[column.codes[i]!]!,
      task ? "given" : "text_labels",
    );
  }

  const values = column.values;
  const infinite = kept.find((i) => !Number.isFinite(values[i]!));
  if (infinite !== undefined) {
    throw new DataError(`${what} holds ${values[infinite]} at data row ${infinite + 1}; targets must be finite numbers`);
  }
  const distinct = new Set<number>();
  let allIntegers = true;
  for (const i of kept) {
    const v = values[i]!;
    distinct.add(v);
    if (!Number.isInteger(v)) allIntegers = false;
  }
  if (distinct.size === 1) {
    throw new DataError(`${what} is constant: every row holds ${[...distinct][0]}; there is nothing to learn`);
  }
  let chosen: Task;
  let rule: TaskRule;
  if (task !== undefined) {
    chosen = task;
    rule = "given";
  } else if (
    allIntegers &&
    (distinct.size <= 2 || (distinct.size <= MAX_INFERRED_CLASSES && distinct.size < MAX_CLASS_RATIO * kept.length))
  ) {
    chosen = "classification";
    rule = "few_integer_values";
  } else {
    chosen = "regression";
    rule = "many_or_fractional_values";
  }
  if (chosen === "regression") {
    const y = new Float64Array(kept.length);
    for (let r = 0; r < kept.length; r++) y[r] = values[kept[r]!]!;
    return { task: "regression", rule, classes: [], y, rows: kept, droppedRows };
  }
  if (!allIntegers) {
    const bad = kept.find((i) => !Number.isInteger(values[i]!))!;
    throw new DataError(
      `${what} holds the fractional value ${values[bad]} at data row ${bad + 1}; ` +
        `classification needs integer or text labels (or set the task to regression)`,
    );
  }
  return encodeClasses(what, kept, droppedRows, (i) => String(values[i]), rule);
}

function encodeClasses(
  what: string,
  kept: Int32Array,
  droppedRows: number,
  labelOf: (row: number) => string,
  rule: TaskRule,
): EncodedTarget {
  const seen = new Set<string>();
  for (const i of kept) seen.add(labelOf(i));
  if (seen.size === 1) {
    throw new DataError(`${what} is constant: every row holds ${JSON.stringify([...seen][0])}; there is nothing to learn`);
  }
  const classes = sortLabels([...seen]);
  const codeOf = new Map(classes.map((c, k) => [c, k]));
  const y = new Float64Array(kept.length);
  for (let r = 0; r < kept.length; r++) y[r] = codeOf.get(labelOf(kept[r]!))!;
  return { task: "classification", rule, classes, y, rows: kept, droppedRows };
}

/**
 * Makes `positive` (a label as the pipeline writes it) the binary target's
 * positive class: code 1, the second probability column. Without it the
 * positive class is the label that sorts last ({@link sortLabels}).
 *
 * @throws DataError when the target is not binary or `positive` is not one of its labels.
 */
export function choosePositiveClass(
  target: EncodedTarget,
  positive: string | number | undefined,
  context: TargetContext & { readonly column: string },
): EncodedTarget {
  if (positive === undefined) return target;
  const what = `${prefix(context, context.column)}: model_training.positive_class ${JSON.stringify(positive)}`;
  if (target.task !== "classification" || target.classes.length !== 2) {
    const found = target.task === "regression" ? "a regression target" : `${target.classes.length} classes`;
    throw new DataError(`${what} applies to a binary target; the target has ${found}`);
  }
  const label = String(positive);
  const at = target.classes.indexOf(label);
  if (at < 0) {
    throw new DataError(
      `${what} is not one of the target's labels (${target.classes.map((c) => JSON.stringify(c)).join(", ")})`,
    );
  }
  if (at === 1) return target;
  return { ...target, classes: [target.classes[1]!, target.classes[0]!], y: target.y.map((code) => 1 - code) };
}

/** The positive class of a binary target: the label with code 1; `undefined` otherwise. */
export function findPositiveClass(task: Task, classes: readonly string[]): string | undefined {
  return task === "classification" && classes.length === 2 ? classes[1] : undefined;
}

/**
 * Encodes a second data set's target (a holdout file) with the classes and
 * task of the training target, so class codes mean the same thing in both.
 * Rows with a missing target are dropped and counted.
 *
 * @throws DataError for a class the training data does not have, text in a
 * regression target, or a target with no values.
 */
export function encodeTargetLike(column: Column, reference: EncodedTarget, context: TargetContext = {}): EncodedTarget {
  const what = prefix(context, column.name);
  const n = column.kind === "numeric" ? column.values.length : column.codes.length;
  const rows: number[] = [];
  for (let i = 0; i < n; i++) {
    const missing = column.kind === "numeric" ? Number.isNaN(column.values[i]!) : column.codes[i]! < 0;
    if (!missing) rows.push(i);
  }
  if (rows.length === 0) throw new DataError(`${what} is empty: all ${n} rows are missing`);
  const kept = Int32Array.from(rows);
  const y = new Float64Array(kept.length);
  if (reference.task === "regression") {
    if (column.kind === "categorical") {
      const first = kept[0]!;
      throw new DataError(
        `${what} holds text (${JSON.stringify(column.dictionary[column.codes[first]!])} at data row ${first + 1}); ` +
          `a regression target must be numeric`,
      );
    }
    for (let r = 0; r < kept.length; r++) y[r] = column.values[kept[r]!]!;
  } else {
    const codeOf = new Map(reference.classes.map((c, k) => [c, k]));
    for (let r = 0; r < kept.length; r++) {
      const i = kept[r]!;
      const label = column.kind === "numeric" ? String(column.values[i]) : column.dictionary[column.codes[i]!]!;
      const code = codeOf.get(label);
      if (code === undefined) {
        throw new DataError(
          `${what} holds the class ${JSON.stringify(label)} at data row ${i + 1}, which the training data does not have ` +
            `(classes: ${reference.classes.map((c) => JSON.stringify(c)).join(", ")})`,
        );
      }
      y[r] = code;
    }
  }
  return {
    task: reference.task,
    rule: reference.rule,
    classes: reference.classes,
    y,
    rows: kept,
    droppedRows: n - kept.length,
  };
}
