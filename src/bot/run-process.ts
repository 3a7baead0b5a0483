/**
 * Runs the bot as a process: reads the environment, starts the server,
 * prints one JSON line `{"listening": "<url>"}` on stdout (so supervisors
 * and tests learn the port), and stops cleanly on SIGINT/SIGTERM.
 */
import { createLogger } from "../common/logger.js";
import { readStartBotOptions, startBot, type RunningBot } from "./start.js";

/** Starts the bot from `env` and installs signal handlers. */
export async function runBotProcess(
  env: NodeJS.ProcessEnv,
  overrides: { port?: number; host?: string } = {},
): Promise<RunningBot> {
  const settings = readStartBotOptions(env);
  const log = createLogger({ format: env.LOG_FORMAT === "pretty" ? "pretty" : "json" });
  const bot = await startBot({ ...settings, ...overrides }, log);
  process.stdout.write(`${JSON.stringify({ listening: bot.url })}\n`);
  const stop = () => {
    void bot.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return bot;
}
