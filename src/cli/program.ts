/**
 * The `meta-controller` command line: global flags, the commands, and the one
 * place that turns errors into messages and exit codes.
 */
import { Command, CommanderError } from "commander";
import { ConfigError, MetaControllerError, UsageError, formatConfigIssue } from "../common/errors.js";
import { createLogger, resolveLogFormat, type LogFormat, type Logger } from "../common/logger.js";
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

/** Width every help text wraps at, whatever the terminal: the same text in a terminal, a CI log and the README. */
export const HELP_WIDTH = 80;

/**
 * Builds the program with every command registered. With JSON logs, what
 * commander itself prints on stderr (a usage error, the help after it) is
 * one JSON log line too.
 */
export function createProgram(logFormat: LogFormat = "pretty"): Command {
  const program = new Command("meta-controller")
    .description("Train, ship, serve and roll back tabular ML models from a Git repository.")
    .version(TOOL_VERSION)
    .option("--root <dir>", "repository root (default: the working directory)")
    .option("--log-format <format>", "pretty | json (default: pretty, or $LOG_FORMAT)")
    .option("--verbose", "debug logging")
    .showHelpAfterError()
    // Every command's help wraps at the same width, a long term column included.
    .configureHelp({ helpWidth: HELP_WIDTH, minWidthToWrap: 20 })
    .exitOverride();
  if (logFormat === "json") {
    const log = createErrorLogger();
    program.configureOutput({
      writeErr: (text) => {
        const message = text.trim().replace(/^error: /, "");
        if (message !== "") log.error(message);
      },
    });
  }
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

/** The messages of an error, one per problem (a config file's issues each at their line). */
function describeError(error: unknown): string[] {
  if (error instanceof ConfigError) return error.issues.map((i) => formatConfigIssue(i));
  if (error instanceof MetaControllerError) return [error.message];
  if (error instanceof Error) return [error.message];
  return [String(error)];
}

/** A JSON logger for the last words of a run, shown whatever LOG_LEVEL says. */
function createErrorLogger(): Logger {
  return createLogger({ format: "json", level: "error" });
}

/**
 * The log format asked for on the command line or in `LOG_FORMAT`, read
 * before commander parses, so that its own errors follow it; an unknown
 * value is left for the command to report.
 */
function readLogFormat(argv: readonly string[]): LogFormat {
  const at = argv.findIndex((arg) => arg === "--log-format" || arg.startsWith("--log-format="));
  const flag = at < 0 ? undefined : argv[at]!.includes("=") ? argv[at]!.split("=")[1] : argv[at + 1];
  try {
    return resolveLogFormat(flag);
  } catch {
    return "pretty";
  }
}

/** Runs the CLI; sets `process.exitCode` (1 on any error) instead of exiting, so output is flushed. */
export async function runCli(argv: readonly string[]): Promise<void> {
  const logFormat = readLogFormat(argv);
  const program = createProgram(logFormat);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed usage errors and help.
      process.exitCode = error.exitCode === 0 ? 0 : 1;
      return;
    }
    const stack =
      !(error instanceof UsageError || error instanceof ConfigError) &&
      argv.includes("--verbose") &&
      error instanceof Error
        ? error.stack
        : undefined;
    if (logFormat === "json") {
      const log = createErrorLogger();
      for (const message of describeError(error)) log.error(stack === undefined ? {} : { stack }, message);
    } else {
      for (const message of describeError(error)) process.stderr.write(`error: ${message}\n`);
      if (stack !== undefined) process.stderr.write(`${stack}\n`);
    }
    process.exitCode = 1;
  }
}
