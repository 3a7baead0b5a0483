/**
 * Sends a notification to a Slack-compatible incoming webhook (a JSON body
 * with a `text` field). The URL comes from the bot's environment, never from
 * the repository, since whoever holds it can post to the channel. Transient
 * failures (network errors, 429, 5xx) are retried with exponential backoff.
 */
import { MetaControllerError } from "../common/errors.js";
import { postWithBackoff, type Sleep } from "../common/http/backoff.js";

/** A notification could not be delivered. */
export class NotificationError extends MetaControllerError {}

/** Options of {@link sendSlackNotification}. */
export interface SlackOptions {
  readonly fetch?: typeof fetch;
  /** Retries after the first attempt (default 3). */
  readonly retries?: number;
  /** First backoff in milliseconds, doubled each retry (default 500). */
  readonly backoffMs?: number;
  /** Per-attempt timeout in milliseconds (default 10 000). */
  readonly timeoutMs?: number;
  /** Waits between attempts; tests pass one that does not sleep. */
  readonly sleep?: Sleep;
}

/** Slack's documented limit for a message `text`. */
const MAX_TEXT = 40_000;

/** The host of a webhook URL, for messages that must not reveal its secret path. */
function describeUrl(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "an invalid URL";
  }
}

/** Posts `{ "text": text }` to the webhook; resolves with the number of attempts made. */
export async function sendSlackNotification(
  url: string,
  text: string,
  options: SlackOptions = {},
): Promise<number> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new NotificationError(
      "Slack webhook URL is not a valid URL (check the bot's environment variable)",
    );
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new NotificationError(`Slack webhook URL must be http(s), got ${parsed.protocol}`);
  }
  const body = JSON.stringify({ text: text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text });
  const outcome = await postWithBackoff(url, body, {
    maxAttempts: (options.retries ?? 3) + 1,
    baseDelayMs: options.backoffMs ?? 500,
    timeoutMs: options.timeoutMs ?? 10_000,
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  if (outcome.ok) return outcome.attempts;
  throw new NotificationError(`Slack notification to ${describeUrl(url)} failed: ${outcome.problem}`);
}
