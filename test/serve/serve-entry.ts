/**
 * Runs `serve` the way the CLI does, from the sources: a program with the
 * global flags and the serve command registered.
 */
import { Command } from "commander";
import { registerServeCommand } from "../../src/cli/commands/serve.js";

const program = new Command("meta-controller")
  .option("--root <dir>")
  .option("--log-format <format>")
  .option("--verbose");
registerServeCommand(program);
try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
