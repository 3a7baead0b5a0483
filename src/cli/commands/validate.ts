/**
 * `meta-controller validate [paths…]`: checks pipelines, environments and the
 * bot settings. Exit 0 when all are valid, 1 with every problem listed.
 */
import type { Command } from "commander";
import { formatConfigIssue } from "../../common/errors.js";
import { validateConfigFiles, type ValidationReport } from "../../config/validate-files.js";
import { checkPipelineData, VALIDATE_SAMPLE_ROWS } from "../../pipeline/validate-data.js";
import { createCliContext, printJson } from "../context.js";

/** Renders the report for people: one line per problem, then a summary. */
export function renderValidationReport(report: ValidationReport): string {
  const lines: string[] = [];
  for (const file of report.files) {
    for (const issue of file.issues) lines.push(`${issue.severity}: ${formatConfigIssue(issue)}`);
  }
  const invalid = report.files.filter((f) => !f.valid).length;
  const warnings = report.files.reduce(
    (n, f) => n + f.issues.filter((i) => i.severity === "warning").length,
    0,
  );
  const summary =
    invalid === 0
      ? `✓ ${report.files.length} file(s) valid${warnings ? `, ${warnings} warning(s)` : ""}`
      : `✗ ${invalid} of ${report.files.length} file(s) invalid`;
  lines.push(summary);
  return lines.join("\n");
}

/** Registers `validate`. */
export function registerValidateCommand(program: Command): void {
  program
    .command("validate")
    .description(
      "check pipelines, environments and bot settings (default: pipelines/ environments/ .github/meta-controller.yml)",
    )
    .argument("[paths...]", "files or folders to check")
    .option(
      "--data",
      `also open each pipeline's data files (header and the first ${VALIDATE_SAMPLE_ROWS} rows) and check its columns`,
    )
    .option("--json", "print one JSON document")
    .action(async (paths: string[], options: { json?: boolean; data?: boolean }, command: Command) => {
      const { root } = createCliContext(command);
      const report = await validateConfigFiles(
        root,
        paths,
        options.data ? { checkPipeline: checkPipelineData } : {},
      );
      if (options.json) {
        printJson({
          valid: report.valid,
          files: report.files.map((f) => ({
            path: f.path,
            kind: f.kind,
            valid: f.valid,
            issues: f.issues.map((i) => ({
              line: i.line,
              column: i.column,
              field: i.field,
              message: i.message,
              severity: i.severity,
            })),
          })),
        });
      } else {
        process.stdout.write(`${renderValidationReport(report)}\n`);
      }
      process.exitCode = report.valid ? 0 : 1;
    });
}
