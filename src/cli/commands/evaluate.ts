/**
 * `meta-controller evaluate <model-ref> [--data <csv>]`: evaluates a model
 * from the registry on onnxruntime-node. Without `--data`, on the holdout it
 * was trained against, which reproduces the card's metrics exactly.
 */
import type { Command } from "commander";
import { evaluateRegisteredModel } from "../../pipeline/evaluate-registered.js";
import { openConfiguredRegistry, type RegistryFlags } from "../../registry/open-registry.js";
import { createCliContext, printJson } from "../context.js";

interface EvaluateFlags extends RegistryFlags {
  data?: string;
  json?: boolean;
}

function formatNumber(value: number | undefined): string {
  if (value === undefined) return "—";
  return Number.isInteger(value) ? String(value) : value.toFixed(4);
}

/** Registers `evaluate`. */
export function registerEvaluateCommand(program: Command): void {
  program
    .command("evaluate")
    .description("evaluate a registered model (the ONNX artifact) on its holdout or on --data")
    .argument("<model-ref>", "name:tag or name@sha256:…")
    .option("--data <csv>", "evaluate on this file instead of the model's own holdout")
    .option(
      "--registry <url>",
      "oci://host[:port]/namespace or a folder (default: .meta-controller/registry)",
    )
    .option("--insecure", "allow plain http, to a loopback registry only")
    .option("--username <user>", "registry user (password from REGISTRY_PASSWORD or GITHUB_TOKEN)")
    .option("--json", "print one JSON document")
    .action(async (ref: string, flags: EvaluateFlags, command: Command) => {
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
          `  ${name.padEnd(18)} ${formatNumber(value).padStart(8)} ${formatNumber(result.cardMetrics[name]).padStart(8)}`,
        );
      }
      lines.push(result.matchesCard ? "matches the card exactly" : "differs from the card");
      process.stdout.write(`${lines.join("\n")}\n`);
    });
}
