/**
 * Delivers server events to the bot's `/api/alerts`. Sending never blocks a
 * request: events go into a bounded queue drained in the background. Each
 * POST is authenticated with a bearer token or an HMAC-SHA256 signature of
 * the body (the header the bot's alert route checks), retried with
 * exponential backoff on network errors, 429 and 5xx, and an id already
 * sent is not sent again.
 */
import { createHmac } from "node:crypto";
import type { Logger } from "pino";
import type { ServerEvent } from "../deploy/events.js";

/** The bot's signature header (see src/bot/alert-route.ts). */
export const EVENT_SIGNATURE_HEADER = "x-meta-controller-signature-256";

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
  const post = options.fetch ?? fetch;
  const maxAttempts = options.maxAttempts ?? 5;
  const baseDelay = options.baseDelayMs ?? 250;
  const seen = new Set<string>();
  const queue: ServerEvent[] = [];
  let draining: Promise<void> | null = null;

  async function deliver(event: ServerEvent): Promise<void> {
    const body = JSON.stringify(event);
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.hmacSecret) {
      headers[EVENT_SIGNATURE_HEADER] =
        `sha256=${createHmac("sha256", options.hmacSecret).update(body).digest("hex")}`;
    }
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      let status = 0;
      try {
        const response = await post(options.url, {
          method: "POST",
          headers,
          body,
          signal: AbortSignal.timeout(10_000),
        });
        status = response.status;
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return;
        if (status !== 429 && status < 500) {
          options.logger.warn({ event: event.id, status }, "event refused by the receiver; not retried");
          return;
        }
      } catch (error) {
        options.logger.debug({ err: error, event: event.id }, "event delivery failed");
      }
      if (attempt < maxAttempts) {
        const delay = baseDelay * 2 ** (attempt - 1);
        await new Promise((r) => setTimeout(r, delay).unref());
      } else {
        options.logger.warn({ event: event.id, status }, `event not delivered after ${maxAttempts} attempts`);
      }
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
