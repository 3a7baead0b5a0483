/**
 * `meta-controller render <target> …`: renders deployment manifests from an
 * environment file. A command group, one subcommand per target:
 * `render kserve <environment.yaml>` writes a KServe InferenceService.
 */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../common/errors.js";
import { EnvironmentSpec } from "../../config/environment.js";
import { loadConfigFile } from "../../config/load-yaml.js";
import { renderKserve } from "../../deploy/render-kserve.js";
import { renderPrometheusRules } from "../../deploy/prometheus-rules.js";
import { createCliContext } from "../context.js";

interface PrometheusRulesFlags {
  window?: string;
  for?: string;
  selector?: string;
  repository?: string;
  interval?: string;
  out?: string;
}

interface KserveFlags {
  registry?: string;
  namespace?: string;
  weight?: string;
  out?: string;
}

/** Registers `render` and its subcommands; later targets add themselves with `.command()` on the returned group. */
export function registerRenderCommand(program: Command): Command {
  const render = program
    .command("render")
    .description("render deployment manifests from an environment file");
  render
    .command("kserve")
    .description("a KServe InferenceService whose canaryTrafficPercent follows the rollout")
    .argument("<environment>", "environment file, e.g. environments/production.yaml")
    .option(
      "--registry <url>",
      "oci://host/namespace the cluster pulls from (default: the environment's registry)",
    )
    .option("--namespace <name>", "the Kubernetes namespace")
    .option("--weight <percent>", "candidate traffic percent now (default: the strategy's first step)")
    .option("--out <file>", "write to a file instead of stdout")
    .action(async (file: string, flags: KserveFlags, command: Command) => {
      const context = createCliContext(command);
      const env = await loadConfigFile(resolve(context.root, file), EnvironmentSpec);
      let weight: number | undefined;
      if (flags.weight !== undefined) {
        weight = Number(flags.weight);
        if (!Number.isFinite(weight) || weight < 0 || weight > 100) {
          throw new UsageError(`--weight ${flags.weight}: expected a percentage 0–100`);
        }
      }
      const yaml = renderKserve(env.value, {
        ...(flags.registry === undefined ? {} : { registry: flags.registry }),
        ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
        ...(weight === undefined ? {} : { candidateWeight: weight }),
      });
      if (flags.out === undefined) process.stdout.write(yaml);
      else await writeFile(resolve(context.root, flags.out), yaml);
    });
  render
    .command("prometheus-rules")
    .description("alerting rules for Prometheus from the checks of environment files")
    .argument("<environments...>", "environment files, e.g. environments/*.yaml")
    .option("--window <duration>", "range of rate() windows", "5m")
    .option("--for <duration>", "how long a condition holds before firing", "1m")
    .option("--selector <matchers>", 'extra label matchers, e.g. job="model-server"')
    .option("--repository <owner/name>", "the GitOps repository label for the bot")
    .option("--interval <duration>", "rule group evaluation interval")
    .option("--out <file>", "write to a file instead of stdout")
    .action(async (files: string[], flags: PrometheusRulesFlags, command: Command) => {
      const context = createCliContext(command);
      const envs = [];
      for (const file of files)
        envs.push((await loadConfigFile(resolve(context.root, file), EnvironmentSpec)).value);
      const yaml = renderPrometheusRules(envs, {
        ...(flags.window === undefined ? {} : { window: flags.window }),
        ...(flags.for === undefined ? {} : { for: flags.for }),
        ...(flags.selector === undefined ? {} : { selector: flags.selector }),
        ...(flags.repository === undefined ? {} : { repository: flags.repository }),
        ...(flags.interval === undefined ? {} : { interval: flags.interval }),
      });
      if (flags.out === undefined) process.stdout.write(yaml);
      else await writeFile(resolve(context.root, flags.out), yaml);
    });
  return render;
}
