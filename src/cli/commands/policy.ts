/**
 * `meta-controller policy evaluate --log <file|folder>… [--json]`: offline
 * estimates (IPS and doubly robust) of the learned policy's value against
 * the guardrails' baseline, from a decision log the bot or the CLI wrote.
 */
import type { Command } from "commander";
import { createCliContext } from "../context.js";
import { type DataError, UsageError } from "../../common/errors.js";
import type { Logger } from "../../common/logger.js";
import { evaluateDecisionLog } from "../../decision/evaluate-log.js";
import type { Estimate, PolicyEvaluation, PolicyValueEstimate } from "../../decision/off-policy.js";

interface EvaluateFlags {
  log: string[];
  environment?: string;
  now?: string;
  json?: boolean;
}

function round(x: number): number | null {
  return Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : null;
}

function estimateJson(e: Estimate): { value: number | null; std_error: number | null } {
  return { value: round(e.value), std_error: round(e.stdError) };
}

function valueJson(v: PolicyValueEstimate): Record<string, unknown> {
  return {
    ips: estimateJson(v.ips),
    snips: round(v.snips),
    dr: estimateJson(v.dr),
    match_rate: round(v.matchRate),
  };
}

/** The `--json` document (snake_case keys, numbers rounded to 6 decimals, null when undefined). */
export function buildEvaluationJson(result: PolicyEvaluation): Record<string, unknown> {
  return {
    decisions: result.decisions,
    settled: result.settled,
    pending: result.pending,
    unmatched_outcomes: result.unmatched_outcomes,
    unmatched: result.unmatched.map((o) => ({
      at: o.at,
      fingerprint: o.fingerprint,
      event: o.event,
      decision_id: o.decision_id ?? null,
    })),
    logged_value: round(result.logged_value),
    baseline: valueJson(result.baseline),
    policy: valueJson(result.policy),
    improvement: estimateJson(result.improvement),
  };
}

function fmt(e: Estimate): string {
  return Number.isFinite(e.value) ? `${e.value.toFixed(4)} ± ${(1.96 * e.stdError).toFixed(4)}` : "n/a";
}

function share(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : "n/a";
}

/** The human-readable report. */
export function renderEvaluationTable(result: PolicyEvaluation): string {
  const rows = [
    ["", "IPS (95% CI)", "DR (95% CI)", "match"],
    ["baseline", fmt(result.baseline.ips), fmt(result.baseline.dr), share(result.baseline.matchRate)],
    ["policy", fmt(result.policy.ips), fmt(result.policy.dr), share(result.policy.matchRate)],
  ];
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  const table = rows
    .map((r) =>
      r
        .map((c, j) => c.padEnd(widths[j]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
  return [
    `decisions ${result.decisions}, settled ${result.settled}, pending ${result.pending}, unmatched outcomes ${result.unmatched_outcomes}`,
    `logged policy's mean reward: ${Number.isFinite(result.logged_value) ? result.logged_value.toFixed(4) : "n/a"}`,
    "",
    table,
    "",
    `policy − baseline (DR): ${fmt(result.improvement)}`,
  ].join("\n");
}

/** The `skipped_lines` member of the `--json` document: how many, and `file:line: reason` of each. */
function skippedJson(skipped: readonly DataError[]): { count: number; where: string[] } {
  return { count: skipped.length, where: skipped.map((error) => error.message) };
}

/** Says in the log how many unreadable lines were left out of the evaluation, and where. */
function reportSkippedLines(logger: Logger, skipped: readonly DataError[]): void {
  if (skipped.length === 0) return;
  const lines = skipped.map((error) => `\n  ${error.message}`).join("");
  logger.warn(
    { skipped: skipped.map((error) => error.message) },
    `skipped ${skipped.length} unreadable line${skipped.length === 1 ? "" : "s"} of the decision log:${lines}`,
  );
}

/** Registers `policy evaluate` on the program. */
export function registerPolicyCommand(program: Command): void {
  const policy = program.command("policy").description("inspect the decision engine's learned policy");
  policy
    .command("evaluate")
    .description(
      "estimate the learned policy's value against the baseline from a decision log (IPS, doubly robust)",
    )
    .requiredOption(
      "--log <path>",
      "decision log (JSONL) written by the bot or the CLI; a folder reads its *.jsonl files (the state branch's decisions/); repeat for several",
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option("--environment <path>", "environment file whose policy section sets the reward settings")
    .option("--now <time>", "settle rewards as of this RFC 3339 time (default: now)")
    .option("--json", "print one JSON document")
    .action(async (flags: EvaluateFlags, command: Command) => {
      const now = flags.now === undefined ? new Date() : new Date(flags.now);
      if (Number.isNaN(now.getTime())) throw new UsageError(`--now: not a valid time: ${flags.now}`);
      const result = await evaluateDecisionLog({
        logPaths: flags.log,
        now,
        ...(flags.environment === undefined ? {} : { environmentPath: flags.environment }),
      });
      const { logger } = createCliContext(command);
      reportSkippedLines(logger, result.skipped);
      for (const o of result.unmatched) {
        logger.warn(
          `outcome ${o.event} of ${JSON.stringify(o.fingerprint)} at ${o.at}${o.decision_id === undefined ? "" : ` for decision ${o.decision_id}`} matches no decision in the log`,
        );
      }
      process.stdout.write(
        flags.json === true
          ? `${JSON.stringify({ ...buildEvaluationJson(result), skipped_lines: skippedJson(result.skipped) }, null, 2)}\n`
          : `${renderEvaluationTable(result)}\n`,
      );
    });
}
