/**
 * What every command gets from the global flags: the repository root and a
 * logger writing to stderr.
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { createLogger, resolveLogFormat, type LogFormat, type Logger } from "../common/logger.js";

/** Global options shared by every command. */
export interface CliContext {
  /** Repository root; data paths and default folders are relative to it. */
  readonly root: string;
  readonly logger: Logger;
  /** How the logger writes, so progress can be written the same way. */
  readonly logFormat: LogFormat;
}

interface GlobalOptions {
  root?: string;
  logFormat?: string;
  verbose?: boolean;
}

/** Builds the context from the program's global options, as seen from any subcommand. */
export function createCliContext(command: Command): CliContext {
  const options = command.optsWithGlobals<GlobalOptions>();
  const logFormat = resolveLogFormat(options.logFormat);
  return {
    root: resolve(options.root ?? process.cwd()),
    logger: createLogger({ verbose: options.verbose ?? false, format: logFormat }),
    logFormat,
  };
}

/** Prints exactly one JSON document on stdout, the contract of every `--json`. */
export function printJson(document: unknown): void {
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
}
