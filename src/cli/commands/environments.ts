/**
 * GitOps on a local checkout, without the GitHub App:
 * `deploy <model-ref> --env <name>`, `rollback --env`, `promote --env`,
 * `abort --env` and `status [--env]`. They call the run flow's use cases
 * over the local desired state, which edits `environments/<name>.yaml`
 * byte for byte outside the changed nodes and, with `--commit`, commits it.
 */
import type { Command } from "commander";
import { STRATEGY_TYPES, type StrategyType } from "../../config/environment.js";
import { UsageError } from "../../common/errors.js";
import { deployModel } from "../../operations/deploy.js";
import type { ChangeResult, ChangeKind, EnvironmentFile } from "../../operations/desired-state.js";
import { loadEnvironment } from "../../operations/environment-files.js";
import { createLocalDesiredState, listLocalEnvironments } from "../../operations/local-desired-state.js";
import type { OperationContext } from "../../operations/operation-context.js";
import { pinModelReference } from "../../operations/pin-reference.js";
import { promoteCandidate } from "../../operations/promote.js";
import { abortRollout, rollBackEnvironment } from "../../operations/rollback.js";
import { readEnvironmentStatuses, type EnvironmentStatus } from "../../operations/status.js";
import { openConfiguredRegistry, type RegistryFlags } from "../../registry/open-registry.js";
import { createCliContext, printJson } from "../context.js";
import { renderTable } from "./registry.js";

interface ChangeFlags {
  env: string;
  commit?: boolean;
  json?: boolean;
}

interface DeployFlags extends ChangeFlags, RegistryFlags {
  strategy?: string;
  force?: boolean;
}

type Operation = (ctx: OperationContext, env: EnvironmentFile) => Promise<ChangeResult>;

function parseStrategy(text: string | undefined): StrategyType | undefined {
  if (text === undefined) return undefined;
  if (!(STRATEGY_TYPES as readonly string[]).includes(text)) {
    throw new UsageError(`--strategy ${text}: expected ${STRATEGY_TYPES.join(", ")}`);
  }
  return text as StrategyType;
}

/** Loads the environment, runs the operation on the local checkout, and prints what changed. */
async function runLocalChange(command: Command, kind: ChangeKind, flags: ChangeFlags, operation: Operation) {
  const { root } = createCliContext(command);
  const state = createLocalDesiredState({ root, commit: flags.commit === true });
  const env = await loadEnvironment(state, flags.env);
  const result = await operation({ state, requester: `meta-controller ${kind}` }, env);
  if (result.status !== "written")
    throw new UsageError(`${kind}: the local checkout answered ${result.status}`);
  if (flags.json) {
    printJson({
      kind,
      environment: env.name,
      path: result.path,
      commit: result.commit ?? null,
      before: result.before,
      after: result.after,
    });
    return;
  }
  const committed = result.commit === undefined ? "" : ` (committed ${result.commit.slice(0, 7)})`;
  process.stdout.write(`${kind}: wrote ${result.path}${committed}\n`);
}

function changeOptions(command: Command): Command {
  return command
    .requiredOption("--env <name>", "environment, i.e. environments/<name>.yaml")
    .option("--commit", "commit the edited file (git commit of that file only)")
    .option("--json", "print one JSON document");
}

function registerDeploy(program: Command): void {
  changeOptions(
    program
      .command("deploy")
      .description(
        "deploy a model version to an environment file (candidate, or stable with --strategy simple)",
      )
      .argument("<model-ref>", "name:tag, name@sha256:… or both; a tag is pinned to its digest"),
  )
    .option("--strategy <strategy>", STRATEGY_TYPES.join(" | "))
    .option("--force", "replace a rollout in progress")
    .option("--registry <url>", "registry that pins a tag (default: .meta-controller/registry)")
    .option("--insecure", "allow plain http, to a loopback registry only")
    .option("--username <user>", "registry user (password from REGISTRY_PASSWORD or GITHUB_TOKEN)")
    .action(async (ref: string, flags: DeployFlags, command: Command) => {
      const strategy = parseStrategy(flags.strategy);
      const { root } = createCliContext(command);
      const pinned = await pinModelReference(openConfiguredRegistry(flags, { root }).registry, ref);
      await runLocalChange(command, "deploy", flags, (ctx, env) =>
        deployModel(ctx, env, { ref: pinned, strategy, force: flags.force === true }),
      );
    });
}

function registerRollbackPromoteAbort(program: Command): void {
  const commands: readonly [ChangeKind, string, Operation][] = [
    [
      "rollback",
      "roll an environment back: abort a rollout in progress, else restore the last good stable from git history",
      (ctx, env) => rollBackEnvironment(ctx, env, "Rolled back with `meta-controller rollback`."),
    ],
    [
      "promote",
      "make the candidate of an environment its stable model",
      (ctx, env) => promoteCandidate(ctx, env),
    ],
    [
      "abort",
      "abort the rollout in progress: clear and quarantine the candidate",
      (ctx, env) => abortRollout(ctx, env, "Aborted with `meta-controller abort`."),
    ],
  ];
  for (const [kind, description, operation] of commands) {
    changeOptions(program.command(kind).description(description)).action(
      (flags: ChangeFlags, command: Command) => runLocalChange(command, kind, flags, operation),
    );
  }
}

function renderStatuses(statuses: readonly EnvironmentStatus[]): string {
  const rows = statuses.map((s) => [
    s.name,
    s.model,
    s.stable ?? "-",
    s.candidate ?? "-",
    s.strategy,
    String(s.quarantine.length),
    s.lastChange === null ? "-" : `${s.lastChange.commit.slice(0, 7)} ${s.lastChange.date ?? ""}`.trim(),
  ]);
  return renderTable(
    ["ENVIRONMENT", "MODEL", "STABLE", "CANDIDATE", "STRATEGY", "QUARANTINED", "LAST CHANGE"],
    rows,
  );
}

function registerStatus(program: Command): void {
  program
    .command("status")
    .description("what each environment file asks to serve: stable, candidate, strategy, quarantine")
    .option("--env <name>", "one environment (default: every file in environments/)")
    .option("--json", "print one JSON document")
    .action(async (flags: { env?: string; json?: boolean }, command: Command) => {
      const { root } = createCliContext(command);
      const state = createLocalDesiredState({ root });
      const names =
        flags.env === undefined ? await listLocalEnvironments(root, state.environmentsDir) : [flags.env];
      const statuses = await readEnvironmentStatuses(state, names);
      if (flags.json) {
        printJson({
          environments: statuses.map((s) => ({
            name: s.name,
            path: s.path,
            model: s.model,
            stable: s.stable,
            candidate: s.candidate,
            strategy: s.strategy,
            quarantine: s.quarantine,
            last_change: s.lastChange,
          })),
        });
        return;
      }
      process.stdout.write(`${statuses.length === 0 ? "no environment files" : renderStatuses(statuses)}\n`);
    });
}

/** Registers `deploy`, `rollback`, `promote`, `abort` and `status`. */
export function registerEnvironmentCommands(program: Command): void {
  registerDeploy(program);
  registerRollbackPromoteAbort(program);
  registerStatus(program);
}
