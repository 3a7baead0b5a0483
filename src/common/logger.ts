/**
 * Structured logging with pino (the logger Probot uses). People get pretty
 * lines by default, on a terminal and in a CI log alike (colour only on a
 * terminal); `--log-format json` or `LOG_FORMAT=json` gives one JSON object
 * per line, and then every line on stderr is JSON, errors included. Logs
 * always go to stderr so that `--json` output on stdout stays one document.
 */
import { pino, type Logger } from "pino";
import pretty from "pino-pretty";
import { UsageError } from "./errors.js";

export type { Logger } from "pino";

/** How log lines are written. */
export type LogFormat = "pretty" | "json";

/** The formats `--log-format` and `LOG_FORMAT` accept. */
export const LOG_FORMATS = ["pretty", "json"] as const satisfies readonly LogFormat[];

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** `pretty` unless given (or `LOG_FORMAT=json`). */
  format?: LogFormat;
  /** `--verbose` lowers the level to debug. */
  verbose?: boolean;
  /** Explicit level; wins over `verbose`. */
  level?: string;
  /**
   * Where lines go; stderr by default. The Action writes to stdout, where the
   * runner's `::group::` commands are, so logs land inside their group.
   */
  destination?: NodeJS.WritableStream;
}

/**
 * Picks the format: the flag when given, else `LOG_FORMAT`, else pretty —
 * JSON only when asked, since a CI log is read by people too.
 *
 * @throws UsageError naming the value when it is neither `pretty` nor `json`.
 */
export function resolveLogFormat(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): LogFormat {
  const [source, value] = flag !== undefined ? ["--log-format", flag] : ["LOG_FORMAT", env.LOG_FORMAT];
  if (value === undefined || value === "") return "pretty";
  if ((LOG_FORMATS as readonly string[]).includes(value)) return value as LogFormat;
  throw new UsageError(`${source} ${JSON.stringify(value)}: expected ${LOG_FORMATS.join(" or ")}`);
}

/** Colour only for a terminal that has not opted out (NO_COLOR, FORCE_COLOR=0). */
function useColour(env: NodeJS.ProcessEnv): boolean {
  return Boolean(process.stderr.isTTY) && env.NO_COLOR === undefined && env.FORCE_COLOR !== "0";
}

/**
 * One pretty stream per destination and colour choice: each pino-pretty
 * stream listens on its destination (close, finish, error), so one per
 * logger would pile listeners on stderr (Node warns past ten).
 */
const prettyStreams = new WeakMap<NodeJS.WritableStream, Map<boolean, ReturnType<typeof pretty>>>();

function prettyStreamFor(destination: NodeJS.WritableStream, colorize: boolean): ReturnType<typeof pretty> {
  let byColour = prettyStreams.get(destination);
  if (byColour === undefined)
    prettyStreams.set(destination, (byColour = new Map<boolean, ReturnType<typeof pretty>>()));
  let stream = byColour.get(colorize);
  if (stream === undefined) {
    stream = pretty({ destination, colorize, translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname" });
    byColour.set(colorize, stream);
  }
  return stream;
}

/** Creates the process logger, writing to stderr. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const format = options.format ?? resolveLogFormat(undefined);
  const level = options.level ?? process.env.LOG_LEVEL ?? (options.verbose ? "debug" : "info");
  if (format === "pretty") {
    // In this thread, onto process.stderr (synchronous for files and pipes), so a line logged
    // just before an exit is not lost.
    return pino({ level }, prettyStreamFor(options.destination ?? process.stderr, useColour(process.env)));
  }
  return pino({ level }, options.destination ?? pino.destination({ dest: 2, sync: true }));
}

/** A logger that discards everything, for tests and library callers who bring none. */
export function createSilentLogger(): Logger {
  return pino({ level: "silent" });
}
