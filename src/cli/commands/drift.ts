/**
 * `meta-controller drift --reference <file | model-ref> --current <file>`
 * (CSV, or Parquet by its `.parquet` name):
 * compares a current data window with the training data (a CSV, or the
 * reference profile in a model's card) and prints the drift report — a table,
 * or with `--json` one JSON document on stdout. Exit code 3 with
 * `--fail-on-drift` when drift was found; bad input exits 1 (in runCli).
 * `drift --serving <pipeline>` compares the pipeline's data with the
 * profile of each serving model (the Action's `command: drift`).
 */
import type { Command } from "commander";
import { UsageError } from "../../common/errors.js";
import type { ExcludedColumn } from "../../monitoring/drift/column-selection.js";
import { CORRECTIONS, type Correction } from "../../common/statistics/multiple-testing.js";
import { DRIFT_METHODS, P_VALUE_METHODS, type MethodChoice } from "../../monitoring/drift/methods.js";
import { computeDriftReport, type DriftReport } from "../../monitoring/drift/report.js";
import { checkServingDrift } from "../../pipeline/serving-drift.js";
import { openConfiguredRegistry } from "../../registry/open-registry.js";
import { createCliContext, printJson } from "../context.js";
import { loadDriftWindows, parseList, type DriftWindowFlags } from "./drift-windows.js";
import { renderTable } from "./registry.js";

/** Exit code when `--fail-on-drift` is given and drift was found. */
export const DRIFT_EXIT_CODE = 3;

interface DriftFlags extends DriftWindowFlags {
  reference?: string;
  current?: string;
  serving?: string;
  json?: boolean;
  failOnDrift?: boolean;
  categorical?: string;
  method: string;
  alpha: string;
  correction: string;
  seed: string;
  multivariate: boolean;
}

function parseNumberFlag(
  flag: string,
  text: string,
  check: (x: number) => boolean,
  expected: string,
): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || !check(value)) {
    throw new UsageError(`${flag} ${text}: expected ${expected}`);
  }
  return value;
}

function formatNumber(x: number | null): string {
  if (x === null) return "-";
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(3);
  return x.toFixed(4);
}

/**
 * The p-value threshold the whole family shares: every p-value test (the
 * primary ks/chi2/z tests and the null-rate and new-category tests) is held
 * to it, so it is one header line rather than a column that repeats it.
 */
function familyThreshold(report: DriftReport): number | undefined {
  const primary = report.features.find((f) => P_VALUE_METHODS.includes(f.method));
  return primary?.threshold ?? report.features.flatMap((f) => f.tests)[0]?.threshold;
}

/** The header line of the family threshold: its value, the correction that set it, the family size, α. */
function renderFamilyLine(report: DriftReport): string {
  const threshold = familyThreshold(report);
  const c = report.correction;
  const how = `${c.method} correction over ${c.tests} tests at α ${c.alpha}`;
  return threshold === undefined
    ? `no p-value test ran (${how})`
    : `p-value threshold ${formatNumber(threshold)} for every p-value test (${how})`;
}

/**
 * Renders the report for people: the family threshold, one row per column,
 * then the verdict. A distance method (psi, js, wasserstein) has its own
 * limit per column, shown in a LIMIT column only when one ran.
 */
export function renderDriftReport(report: DriftReport): string {
  const distances = report.features.some((f) => !P_VALUE_METHODS.includes(f.method));
  const rows = report.features.map((f) => [
    f.name,
    f.type,
    f.method,
    formatNumber(f.statistic),
    formatNumber(f.p_value),
    ...(distances ? [P_VALUE_METHODS.includes(f.method) ? "-" : formatNumber(f.threshold)] : []),
    f.drift ? "DRIFT" : "ok",
    f.severity,
    [
      ...f.tests.filter((t) => t.drift).map((t) => t.name),
      ...(f.insufficient_data === undefined ? [] : [f.insufficient_data]),
    ].join("; "),
  ]);
  const table = renderTable(
    [
      "FEATURE",
      "TYPE",
      "METHOD",
      "STATISTIC",
      "P-VALUE",
      ...(distances ? ["LIMIT"] : []),
      "DRIFT",
      "SEVERITY",
      "NOTES",
    ],
    rows,
  );
  const m = report.multivariate;
  const multivariate =
    m.auc === null
      ? `domain classifier: not run (${m.skipped ?? "disabled"})`
      : `domain classifier: AUC ${m.auc.toFixed(4)}, p ${formatNumber(m.p_value)} → ${m.drift ? "DRIFT" : "ok"}`;
  const drifted = report.features.filter((f) => f.drift).length;
  const verdict = report.drift
    ? `drift detected: ${drifted} of ${report.features.length} columns (${(100 * report.drift_share).toFixed(1)} %)${m.drift ? " and the joint distribution" : ""}`
    : "no drift detected";
  return [
    `reference ${report.n_reference} rows, current ${report.n_current} rows`,
    renderFamilyLine(report),
    table,
    multivariate,
    verdict,
  ].join("\n");
}

/** `drift --serving <pipeline>`: the pipeline's data against each serving model's profile. */
async function driftAgainstServing(pipeline: string, flags: DriftFlags, command: Command): Promise<void> {
  const { root } = createCliContext(command);
  const { registry } = openConfiguredRegistry(flags, { root });
  const result = await checkServingDrift(root, pipeline, registry);
  const drifted = result.environments.some((e) => e.report?.drift === true);
  if (flags.json) {
    printJson({
      pipeline: result.pipeline,
      data: result.dataPath,
      drift: drifted,
      environments: result.environments.map((e) => ({
        environment: e.environment,
        stable: e.stable,
        digest: e.digest ?? null,
        report: e.report ?? null,
      })),
    });
  } else {
    const parts = result.environments.map((e) =>
      e.report === undefined
        ? `${e.environment}: serves nothing`
        : `${e.environment}: ${e.stable ?? ""}\n${renderDriftReport(e.report)}`,
    );
    process.stdout.write(`${result.pipeline} (${result.dataPath})\n${parts.join("\n\n")}\n`);
  }
  if (flags.failOnDrift && drifted) process.exitCode = DRIFT_EXIT_CODE;
}

/** One line naming the columns left out and why, so a report never compares less than it seems. */
function renderExcluded(excluded: readonly ExcludedColumn[]): string {
  if (excluded.length === 0) return "";
  return `not compared: ${excluded.map((e) => `${e.name} (${e.reason})`).join(", ")}\n`;
}

/** Registers `drift`. */
export function registerDriftCommand(program: Command): void {
  program
    .command("drift")
    .description("compare current data with the training data (a CSV or a model's stored profile)")
    .option(
      "--reference <file|model-ref>",
      "reference data (CSV, or Parquet when the name ends in .parquet), or a model reference name:tag / name@sha256:…",
    )
    .option("--current <file>", "current data window (CSV, or Parquet when the name ends in .parquet)")
    .option("--serving <pipeline>", "compare the pipeline's data with each serving model's profile instead")
    .option("--json", "print one JSON document on stdout")
    .option("--fail-on-drift", `exit with code ${DRIFT_EXIT_CODE} when drift is found`)
    .option("--categorical <columns>", "comma-separated columns to treat as categorical")
    .option("--columns <columns>", "compare only these comma-separated columns")
    .option("--exclude <columns>", "leave these comma-separated columns out (an ID, a date, the label)")
    .option(
      "--pipeline <file>",
      "leave out the pipeline's target and every column that is not one of its features",
    )
    .option("--method <method>", `auto | ${DRIFT_METHODS.join(" | ")}`, "auto")
    .option("--alpha <alpha>", "significance level of the whole report", "0.05")
    .option(
      "--correction <correction>",
      "bonferroni (family-wise: min_p or bonferroni_effective when the data allow, as the report's correction says) | bh (false discovery rate)",
      "bonferroni",
    )
    .option("--seed <seed>", "seed of the domain classifier", "0")
    .option("--no-multivariate", "skip the domain classifier")
    .option("--registry <url>", "registry for a model reference (default: .meta-controller/registry)")
    .option("--insecure", "allow plain http, to a loopback registry only")
    .option("--username <user>", "registry user (password from REGISTRY_PASSWORD or GITHUB_TOKEN)")
    .action(async (flags: DriftFlags, command: Command) => {
      if (flags.serving !== undefined) {
        if (flags.reference !== undefined || flags.current !== undefined) {
          throw new UsageError(
            "--serving takes its data from the pipeline: give no --reference or --current with it",
          );
        }
        return driftAgainstServing(flags.serving, flags, command);
      }
      const { reference: referenceFlag, current: currentFlag } = flags;
      if (referenceFlag === undefined || currentFlag === undefined) {
        throw new UsageError("drift: give --reference and --current, or --serving <pipeline>");
      }
      const context = createCliContext(command);
      const method = flags.method as MethodChoice;
      if (method !== "auto" && !(DRIFT_METHODS as readonly string[]).includes(method)) {
        throw new UsageError(`--method ${flags.method}: expected auto or one of ${DRIFT_METHODS.join(", ")}`);
      }
      const correction = flags.correction as Correction;
      if (!(CORRECTIONS as readonly string[]).includes(correction)) {
        throw new UsageError(`--correction ${flags.correction}: expected ${CORRECTIONS.join(" or ")}`);
      }
      const alpha = parseNumberFlag(
        "--alpha",
        flags.alpha,
        (x) => x > 0 && x < 1,
        "a number between 0 and 1",
      );
      const seed = parseNumberFlag(
        "--seed",
        flags.seed,
        (x) => Number.isInteger(x) && x >= 0,
        "a non-negative integer",
      );
      const categorical = parseList(flags.categorical);

      const { reference, current, excluded } = await loadDriftWindows(context, flags, categorical, {
        reference: referenceFlag,
        current: currentFlag,
      });
      const report = await computeDriftReport(reference, current, {
        method,
        alpha,
        correction,
        seed,
        multivariate: flags.multivariate,
      });
      context.logger.info({ drift: report.drift, drift_share: report.drift_share }, "drift report ready");
      for (const column of excluded)
        context.logger.info({ column: column.name, reason: column.reason }, "column not compared");
      if (flags.json) printJson({ ...report, excluded_columns: excluded });
      else process.stdout.write(`${renderExcluded(excluded)}${renderDriftReport(report)}\n`);
      if (flags.failOnDrift && report.drift) process.exitCode = DRIFT_EXIT_CODE;
    });
}
