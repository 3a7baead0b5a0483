/**
 * Delivers server events to the bot's `/api/alerts`. Sending never blocks a
 * request: events go into a bounded queue drained in the background. Each
 * POST is authenticated with a bearer token or an HMAC-SHA256 signature of
 * the body (the header the bot's alert route checks), retried with
 * exponential backoff on network errors, 429 and 5xx, and an id already
 * sent is not sent again.
 */
import type { Logger } from "pino";
import { postWithBackoff, sleepUnref } from "../common/http/backoff.js";
import { bearerHeader } from "../common/http/constant-time.js";
import { SIGNATURE_HEADER, signTimestampedBody, TIMESTAMP_HEADER } from "../common/http/hmac.js";
import type { ServerEvent } from "../deploy/events.js";

/** Where and how events go. */
export interface EventSenderOptions {
  readonly url: string;
  readonly token?: string;
  readonly hmacSecret?: string;
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly logger: Logger;
  /** Injected for tests; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

/** A background event queue. */
export interface EventSender {
  /** Queues an event; returns false when its id was already queued or sent. */
  send(event: ServerEvent): boolean;
  /** Resolves when the queue is empty (used on shutdown and in tests). */
  flush(): Promise<void>;
}

const MAX_QUEUE = 1000;
const MAX_REMEMBERED_IDS = 10_000;

/** Creates a sender; with no URL, events are only logged. */
export function createEventSender(options: EventSenderOptions): EventSender {
  const maxAttempts = options.maxAttempts ?? 5;
  const baseDelay = options.baseDelayMs ?? 250;
  const seen = new Set<string>();
  const queue: ServerEvent[] = [];
  let draining: Promise<void> | null = null;

  async function deliver(event: ServerEvent): Promise<void> {
    const body = JSON.stringify(event);
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = bearerHeader(options.token);
    if (options.hmacSecret) {
      const timestamp = Math.floor(Date.now() / 1000);
      headers[TIMESTAMP_HEADER] = String(timestamp);
      headers[SIGNATURE_HEADER] = signTimestampedBody(options.hmacSecret, timestamp, body);
    }
    const outcome = await postWithBackoff(options.url, body, {
      headers,
      maxAttempts,
      baseDelayMs: baseDelay,
      // Delivery runs in the background; a pending retry must not hold a shutdown.
      sleep: sleepUnref,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      onNetworkError: (error) =>
        options.logger.debug({ err: error, event: event.id }, "event delivery failed"),
    });
    if (outcome.ok) return;
    const { status } = outcome;
    if (!outcome.exhausted) {
      options.logger.warn({ event: event.id, status }, "event refused by the receiver; not retried");
    } else {
      options.logger.warn({ event: event.id, status }, `event not delivered after ${maxAttempts} attempts`);
    }
  }

  async function drain(): Promise<void> {
    for (let event = queue.shift(); event !== undefined; event = queue.shift()) await deliver(event);
    draining = null;
  }

  return {
    send(event) {
      if (seen.has(event.id)) return false;
      seen.add(event.id);
      if (seen.size > MAX_REMEMBERED_IDS) seen.delete(seen.values().next().value!);
      options.logger.info({ event: event.id, type: event.type }, "server event");
      if (options.url.length === 0) return true;
      if (queue.length >= MAX_QUEUE) queue.shift();
      queue.push(event);
      draining ??= drain();
      return true;
    },
    async flush() {
      while (draining !== null) await draining;
    },
  };
}
