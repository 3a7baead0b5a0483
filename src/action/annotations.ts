/**
 * Problems in files users wrote become workflow annotations at their file,
 * line and column, so GitHub shows them in the pull request's diff.
 */
import type { AnnotationProperties } from "@actions/core";
import type { ConfigIssue } from "../common/errors.js";

/** One annotation to print. */
export interface Annotation {
  readonly level: "error" | "warning";
  readonly message: string;
  readonly properties: AnnotationProperties;
}

/** Builds the annotation of a config issue; the message names the field. */
export function buildAnnotation(issue: ConfigIssue): Annotation {
  return {
    level: issue.severity,
    message: issue.field ? `${issue.field}: ${issue.message}` : issue.message,
    properties: {
      title: `invalid ${issue.file}`,
      file: issue.file.replace(/\\/g, "/").replace(/^\.\//, ""),
      startLine: issue.line,
      startColumn: issue.column,
    },
  };
}
