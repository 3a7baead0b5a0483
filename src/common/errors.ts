/**
 * Typed errors. Each sets `name` so entry points can tell them apart, and
 * carries `cause` when it wraps another error. Messages are written for the
 * person who has to fix the problem: they name the file, line, field or
 * value, and say what would be accepted.
 */

/** Options shared by every project error. */
export interface ProjectErrorOptions {
  cause?: unknown;
}

/** Base class of the project's errors. */
export class MetaControllerError extends Error {
  constructor(message: string, options: ProjectErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}

/** One problem found in a file a user wrote, with its position. */
export interface ConfigIssue {
  /** Path of the file, as given by the user. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
  /** Dotted path of the field, empty for the whole document. */
  field: string;
  /** What is wrong. */
  message: string;
  severity: "error" | "warning";
}

/** Renders an issue as `path:line:col: field: message`. */
export function formatConfigIssue(issue: ConfigIssue): string {
  const where = issue.field ? `${issue.field}: ` : "";
  return `${issue.file}:${issue.line}:${issue.column}: ${where}${issue.message}`;
}

/** A file a user wrote is invalid. Carries every problem found in it. */
export class ConfigError extends MetaControllerError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[], options: ProjectErrorOptions = {}) {
    super(issues.map(formatConfigIssue).join("\n"), options);
    this.issues = issues;
  }
}

/** Data could not be read or does not fit the pipeline (names file, row, column). */
export class DataError extends MetaControllerError {}

/** A model registry operation failed. */
export class RegistryError extends MetaControllerError {}

/** An ONNX export, load or parity check failed. */
export class OnnxError extends MetaControllerError {}

/** A call to the GitHub API failed. */
export class GitHubApiError extends MetaControllerError {
  readonly status: number | undefined;
  constructor(message: string, status?: number, options: ProjectErrorOptions = {}) {
    super(message, options);
    this.status = status;
  }
}

/** The user asked for something the command line cannot do (bad flag value, missing argument). */
export class UsageError extends MetaControllerError {}
