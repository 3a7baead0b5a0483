/**
 * Structured logging with pino (the logger Probot uses). Humans on a TTY get
 * pretty lines; CI and `--log-format json` get one JSON object per line. Logs
 * always go to stderr so that `--json` output on stdout stays one document.
 */
import { pino, type Logger } from "pino";

export type { Logger } from "pino";

/** How log lines are written. */
export type LogFormat = "pretty" | "json";

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** `pretty` on a TTY outside CI, `json` otherwise, unless given. */
  format?: LogFormat;
  /** `--verbose` lowers the level to debug. */
  verbose?: boolean;
  /** Explicit level; wins over `verbose`. */
  level?: string;
}

/** Picks the format: JSON in CI or when stderr is not a terminal. */
export function defaultLogFormat(
  env: NodeJS.ProcessEnv = process.env,
  isTty = process.stderr.isTTY,
): LogFormat {
  if (env.CI === "true" || env.GITHUB_ACTIONS === "true") return "json";
  return isTty ? "pretty" : "json";
}

/** Creates the process logger, writing to stderr. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const format = options.format ?? defaultLogFormat();
  const level = options.level ?? process.env.LOG_LEVEL ?? (options.verbose ? "debug" : "info");
  if (format === "pretty") {
    return pino({
      level,
      transport: {
        target: "pino-pretty",
        options: { destination: 2, colorize: true, ignore: "pid,hostname" },
      },
    });
  }
  return pino({ level }, pino.destination({ dest: 2, sync: true }));
}

/** A logger that discards everything, for tests and library callers who bring none. */
export function createSilentLogger(): Logger {
  return pino({ level: "silent" });
}
