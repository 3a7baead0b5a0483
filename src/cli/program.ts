/**
 * The `meta-controller` command line: global flags, the commands, and the one
 * place that turns errors into messages and exit codes.
 */
import { Command, CommanderError } from "commander";
import { ConfigError, MetaControllerError, UsageError, formatConfigIssue } from "../common/errors.js";
import { TOOL_VERSION } from "../common/version.js";
import { registerBotCommand } from "./commands/bot.js";
import { registerDriftCommand } from "./commands/drift.js";
import { registerEnvironmentCommands } from "./commands/environments.js";
import { registerEvaluateCommand } from "./commands/evaluate.js";
import { registerPolicyCommand } from "./commands/policy.js";
import { registerRegistryCommand } from "./commands/registry.js";
import { registerRenderCommand } from "./commands/render.js";
import { registerServeCommand } from "./commands/serve.js";
import { registerTrainCommand } from "./commands/train.js";
import { registerValidateCommand } from "./commands/validate.js";

/** Builds the program with every command registered. */
export function createProgram(): Command {
  const program = new Command("meta-controller")
    .description("Train, ship, serve and roll back tabular ML models from a Git repository.")
    .version(TOOL_VERSION)
    .option("--root <dir>", "repository root (default: the working directory)")
    .option("--log-format <format>", "pretty | json (default: pretty on a terminal, json in CI)")
    .option("--verbose", "debug logging")
    .showHelpAfterError()
    .exitOverride();
  registerValidateCommand(program);
  registerTrainCommand(program);
  registerEvaluateCommand(program);
  registerDriftCommand(program);
  registerRegistryCommand(program);
  registerBotCommand(program);
  registerPolicyCommand(program);
  registerServeCommand(program);
  registerEnvironmentCommands(program);
  registerRenderCommand(program);
  return program;
}

function describeError(error: unknown): string {
  if (error instanceof ConfigError)
    return error.issues.map((i) => `error: ${formatConfigIssue(i)}`).join("\n");
  if (error instanceof MetaControllerError) return `error: ${error.message}`;
  if (error instanceof Error) return `error: ${error.message}`;
  return `error: ${String(error)}`;
}

/** Runs the CLI; sets `process.exitCode` (1 on any error) instead of exiting, so output is flushed. */
export async function runCli(argv: readonly string[]): Promise<void> {
  const program = createProgram();
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed usage errors and help.
      process.exitCode = error.exitCode === 0 ? 0 : 1;
      return;
    }
    process.stderr.write(`${describeError(error)}\n`);
    if (
      !(error instanceof UsageError || error instanceof ConfigError) &&
      process.argv.includes("--verbose") &&
      error instanceof Error
    ) {
      process.stderr.write(`${error.stack ?? ""}\n`);
    }
    process.exitCode = 1;
  }
}
