/**
 * The bot's logger with errors cut to size. Errors from the webhook
 * machinery carry the whole event (`error.event.payload`) and Octokit's
 * carry requests and responses; logged as they are, one bad request can
 * write megabytes of someone else's text into the log. Only the type,
 * message, stack, status and nested errors are kept, each bounded.
 */
import type { Logger } from "../common/logger.js";

const MAX_MESSAGE = 1000;
const MAX_STACK = 2000;
const MAX_NESTED = 3;

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** An error as the log may carry it (pure). */
export function boundedError(value: unknown, depth = 0): Record<string, unknown> {
  if (!(value instanceof Error)) return { message: cut(String(value), MAX_MESSAGE) };
  const status = (value as { status?: unknown }).status;
  const out: Record<string, unknown> = {
    type: value.name,
    message: cut(value.message, MAX_MESSAGE),
    ...(value.stack === undefined ? {} : { stack: cut(value.stack, MAX_STACK) }),
    ...(typeof status === "number" ? { status } : {}),
  };
  if (value instanceof AggregateError && depth === 0) {
    out.errors = (value.errors as unknown[]).slice(0, MAX_NESTED).map((e) => boundedError(e, depth + 1));
  }
  if (value.cause !== undefined && depth === 0) out.cause = boundedError(value.cause, depth + 1);
  return out;
}

/** A child of `log` whose `err` fields (and errors logged as the first argument) are bounded. */
export function withBoundedErrors(log: Logger): Logger {
  return log.child({}, { serializers: { err: (value: unknown) => boundedError(value) } });
}
