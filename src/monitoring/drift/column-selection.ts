/**
 * Which columns a drift report compares. An ID or a date differs between
 * any two windows and always "drifts"; a label arrives late, so a current
 * window often lacks it. The operator names the columns (`--columns`) or
 * leaves some out (`--exclude`); a pipeline leaves out its target and every
 * column that is not one of its features. Each column left out is reported
 * with the reason, so a report never silently compares less than it seems.
 */
import { UsageError } from "../../common/errors.js";

/** The columns one window has, and where it came from (for messages). */
export interface WindowColumns {
  readonly source: string;
  readonly names: readonly string[];
}

/** What the operator asked for. */
export interface DriftColumnChoice {
  /** Compare only these (`--columns`). */
  readonly columns?: readonly string[];
  /** Leave these out (`--exclude`). */
  readonly exclude?: readonly string[];
  /** A pipeline whose target and non-feature columns are left out (`--pipeline`). */
  readonly pipeline?: {
    readonly path: string;
    readonly target: string;
    readonly features: readonly string[];
  };
}

/** A column the report does not compare, and why. */
export interface ExcludedColumn {
  readonly name: string;
  readonly reason: string;
}

/** The columns compared, in reference order, and the ones left out. */
export interface DriftColumnSelection {
  readonly compared: string[];
  readonly excluded: ExcludedColumn[];
}

function quote(names: readonly string[]): string {
  return names.map((n) => JSON.stringify(n)).join(", ");
}

function checkNamed(flag: string, names: readonly string[], reference: WindowColumns): void {
  const known = new Set(reference.names);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0)
    throw new UsageError(
      `${flag}: the reference data (${reference.source}) has no column ${quote(unknown)}; its columns are ${quote(reference.names)}`,
    );
}

/**
 * Decides the compared columns.
 *
 * @throws UsageError naming the flag and the column when `--columns` or
 *   `--exclude` names a column the reference lacks, when nothing is left to
 *   compare, or when the current window lacks a compared column (the message
 *   says how to leave it out).
 */
export function selectDriftColumns(
  reference: WindowColumns,
  current: WindowColumns,
  choice: DriftColumnChoice,
): DriftColumnSelection {
  if (choice.columns) checkNamed("--columns", choice.columns, reference);
  if (choice.exclude) checkNamed("--exclude", choice.exclude, reference);
  const excluded: ExcludedColumn[] = [];
  const named = choice.columns ? new Set(choice.columns) : undefined;
  const features = choice.pipeline ? new Set(choice.pipeline.features) : undefined;
  const leftOut = new Set(choice.exclude ?? []);
  const compared: string[] = [];
  for (const name of reference.names) {
    let reason: string | undefined;
    if (named && !named.has(name)) reason = "not in --columns";
    else if (leftOut.has(name)) reason = "--exclude";
    // Named columns are the operator's explicit choice; the pipeline only trims the default list.
    else if (!named && choice.pipeline && name === choice.pipeline.target)
      reason = `the target of ${choice.pipeline.path}`;
    else if (!named && features && !features.has(name))
      reason = `not a feature of ${choice.pipeline!.path} (an ID, a date or an unused column)`;
    if (reason === undefined) compared.push(name);
    else excluded.push({ name, reason });
  }
  const inReference = new Set(reference.names);
  for (const name of current.names)
    if (!inReference.has(name))
      excluded.push({ name, reason: `only in the current data (${current.source})` });

  if (compared.length === 0)
    throw new UsageError(
      `no column left to compare: ${excluded.map((e) => `${JSON.stringify(e.name)} (${e.reason})`).join(", ")}`,
    );
  const inCurrent = new Set(current.names);
  const missing = compared.filter((n) => !inCurrent.has(n));
  if (missing.length > 0)
    throw new UsageError(
      `the current data (${current.source}) has no column ${quote(missing)}, which the reference (${reference.source}) has; ` +
        `leave it out with --exclude ${missing.join(",")}, name the compared columns with --columns, ` +
        `or give --pipeline <file> to leave out the pipeline's target and the columns that are not its features`,
    );
  return { compared, excluded };
}
