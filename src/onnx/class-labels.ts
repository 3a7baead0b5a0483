/**
 * Class labels of an exported classifier. Index k of the model's outputs is
 * `labels[k]`; the `label` output is int64 for integer classes and string for
 * string classes, as the contract asks.
 */
import { OnnxError } from "../common/errors.js";
import type { OnnxAttribute } from "./onnx-model.js";

/** Validated class labels: all integers or all strings. */
export type ClassLabels =
  | { readonly kind: "int64"; readonly values: readonly number[] }
  | { readonly kind: "string"; readonly values: readonly string[] };

/**
 * Checks user-facing class values against the model's class count.
 * Without `classes`, the labels are 0 … K-1.
 */
export function buildClassLabels(nClasses: number, classes?: readonly (string | number)[]): ClassLabels {
  if (classes === undefined) return { kind: "int64", values: Array.from({ length: nClasses }, (_, k) => k) };
  if (classes.length !== nClasses) {
    throw new OnnxError(`the model has ${nClasses} classes but ${classes.length} class labels were given`);
  }
  if (new Set(classes).size !== classes.length) {
    throw new OnnxError(`class labels must be distinct, got ${JSON.stringify(classes)}`);
  }
  if (classes.every((c): c is string => typeof c === "string")) return { kind: "string", values: classes };
  if (classes.every((c): c is number => typeof c === "number")) {
    const bad = classes.find((c) => !Number.isSafeInteger(c));
    if (bad !== undefined) {
      throw new OnnxError(`numeric class labels must be integers (ONNX labels are int64), got ${bad}`);
    }
    return { kind: "int64", values: classes };
  }
  throw new OnnxError(`class labels must be all strings or all integers, got ${JSON.stringify(classes)}`);
}

/** The `classlabels_*` attribute of an ONNX classifier. */
export function classLabelAttribute(labels: ClassLabels, intName = "classlabels_int64s"): OnnxAttribute {
  return labels.kind === "int64"
    ? { name: intName, type: "ints", value: labels.values }
    : { name: "classlabels_strings", type: "strings", value: labels.values };
}
