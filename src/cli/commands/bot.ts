/**
 * `meta-controller bot`: runs the GitHub App (webhooks and `/api/alerts`).
 * Settings come from the environment: APP_ID, PRIVATE_KEY(_PATH),
 * WEBHOOK_SECRET, GHE_HOST/GHE_PROTOCOL, ALERT_TOKEN, ALERT_HMAC_SECRET,
 * ALERT_CREDENTIALS, DEFAULT_REPOSITORY, OUTCOME_LOG, REPORT_AUTHORS,
 * MARKER_SECRET, BOT_LOGIN, WEBHOOK_MAX_BYTES (see the README).
 */
import type { Command } from "commander";
import { UsageError } from "../../common/errors.js";
import { runBotProcess } from "../../bot/start.js";
import { createCliContext } from "../context.js";

/** Registers `bot`. */
export function registerBotCommand(program: Command): void {
  program
    .command("bot")
    .description("run the GitHub App: PR comment commands and the alert intake (POST /api/alerts)")
    .option("--port <port>", "port to listen on (default: $PORT or 3000; 0 picks one)")
    .option("--host <host>", "address to listen on (default: $HOST or 127.0.0.1)")
    .action(async (options: { port?: string; host?: string }, command: Command) => {
      const port = options.port === undefined ? undefined : Number(options.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
        throw new UsageError(`--port ${options.port}: expected a port number 0–65535`);
      }
      const { logFormat } = createCliContext(command);
      await runBotProcess(process.env, {
        logFormat,
        ...(port === undefined ? {} : { port }),
        ...(options.host === undefined ? {} : { host: options.host }),
      });
      // The server keeps the process alive until a signal stops it.
      await new Promise<never>(() => undefined);
    });
}
