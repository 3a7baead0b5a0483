/**
 * `meta-controller evaluate <model-ref> [--data <csv>]`: evaluates a model
 * from the registry on onnxruntime-node. Without `--data`, on the holdout it
 * was trained against, which reproduces the card's metrics exactly.
 * `evaluate --serving <pipeline>` re-evaluates the models serving now in the
 * environments the pipeline compares with, and applies its absolute gates
 * (the Action's `command: evaluate`).
 */
import type { Command } from "commander";
import { evaluateRegisteredModel } from "../../pipeline/evaluate-registered.js";
import { UsageError } from "../../common/errors.js";
import { evaluateServingModels } from "../../pipeline/serving-evaluation.js";
import { openConfiguredRegistry, type RegistryFlags } from "../../registry/open-registry.js";
import { createCliContext, printJson } from "../context.js";
import { formatMetric } from "../../common/format-number.js";

interface EvaluateFlags extends RegistryFlags {
  data?: string;
  serving?: string;
  json?: boolean;
}

/** `evaluate --serving <pipeline>`: exit 1 when a serving model fails an absolute gate. */
async function evaluateServing(pipeline: string, flags: EvaluateFlags, command: Command): Promise<void> {
  const { root } = createCliContext(command);
  const { registry } = openConfiguredRegistry(flags, { root });
  const result = await evaluateServingModels(root, pipeline, registry);
  const failed = result.environments.some((e) => e.gates?.passed === false);
  if (flags.json) {
    printJson({
      pipeline: result.pipeline,
      gates_passed: !failed,
      environments: result.environments.map((e) => ({
        environment: e.environment,
        stable: e.stable,
        metrics: e.result?.evaluation.metrics ?? null,
        gates: e.gates ?? null,
      })),
    });
  } else {
    const lines = [`serving models of ${result.pipeline}`];
    for (const e of result.environments) {
      if (e.stable === null) {
        lines.push(`  ${e.environment}: serves nothing`);
        continue;
      }
      const metrics = Object.entries(e.result?.evaluation.metrics ?? {})
        .map(([name, value]) => `${name} ${formatMetric(value)}`)
        .join(", ");
      lines.push(
        `  ${e.environment}: ${e.stable} — ${metrics} — gates ${e.gates?.passed === false ? "FAILED" : "passed"}`,
      );
      for (const gate of e.gates?.results.filter((g) => !g.passed) ?? []) lines.push(`    ${gate.message}`);
    }
    process.stdout.write(`${lines.join("\n")}\n`);
  }
  if (failed) process.exitCode = 1;
}

/**
 * What the card column means. On the card's own holdout the metrics should
 * come out the same, and a difference is news; on other data (`--data`)
 * they differ by nature, so the line says what was evaluated, not a warning.
 */
function describeCardComparison(data: string, matchesCard: boolean): string {
  if (data !== "holdout")
    return `evaluated on other data (${data}); the card column holds the metrics on the model's own holdout, for comparison`;
  return matchesCard
    ? "reproduces the card's metrics exactly on the model's own holdout"
    : "does not reproduce the card's metrics on the model's own holdout: the data or the runtime changed";
}

/** Registers `evaluate`. */
export function registerEvaluateCommand(program: Command): void {
  program
    .command("evaluate")
    .description("evaluate a registered model (the ONNX artifact) on its holdout or on --data")
    .argument("[model-ref]", "name:tag or name@sha256:…")
    .option("--data <csv>", "evaluate on this file instead of the model's own holdout")
    .option(
      "--serving <pipeline>",
      "re-evaluate the models serving now for this pipeline and apply its gates",
    )
    .option(
      "--registry <url>",
      "oci://host[:port]/namespace or a folder (default: .meta-controller/registry)",
    )
    .option("--insecure", "allow plain http, to a loopback registry only")
    .option("--username <user>", "registry user (password from REGISTRY_PASSWORD or GITHUB_TOKEN)")
    .option("--json", "print one JSON document")
    .action(async (ref: string | undefined, flags: EvaluateFlags, command: Command) => {
      if (flags.serving !== undefined) {
        if (ref !== undefined || flags.data !== undefined) {
          throw new UsageError(
            "--serving evaluates the serving models: give no <model-ref> and no --data with it",
          );
        }
        return evaluateServing(flags.serving, flags, command);
      }
      if (ref === undefined) throw new UsageError("evaluate: name a <model-ref>, or --serving <pipeline>");
      const { root } = createCliContext(command);
      const { registry } = openConfiguredRegistry(flags, { root });
      const result = await evaluateRegisteredModel({
        root,
        registry,
        ref,
        ...(flags.data ? { dataPath: flags.data } : {}),
      });
      if (flags.json) {
        printJson({
          model: { ref: result.ref, digest: result.digest },
          data: result.data,
          rows: result.rows,
          metrics: result.evaluation.metrics,
          unavailable_metrics: result.evaluation.unavailable,
          ...(result.evaluation.confusion_matrix
            ? { confusion_matrix: result.evaluation.confusion_matrix }
            : {}),
          card_metrics: result.cardMetrics,
          matches_card: result.matchesCard,
        });
        return;
      }
      const lines = [
        `${result.ref}@${result.digest} on ${result.data} (${result.rows} rows)`,
        `  ${"metric".padEnd(18)} ${"now".padStart(8)} ${"card".padStart(8)}`,
      ];
      for (const [name, value] of Object.entries(result.evaluation.metrics)) {
        lines.push(
          `  ${name.padEnd(18)} ${formatMetric(value).padStart(8)} ${formatMetric(result.cardMetrics[name]).padStart(8)}`,
        );
      }
      lines.push(describeCardComparison(result.data, result.matchesCard));
      process.stdout.write(`${lines.join("\n")}\n`);
    });
}
