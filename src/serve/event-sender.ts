/**
 * Delivers server events to the bot's `/api/alerts`. Sending never blocks a
 * request: events go into a bounded queue drained in the background. Each
 * POST is authenticated with a bearer token or an HMAC-SHA256 signature of
 * the body (the header the bot's alert route checks), retried with
 * exponential backoff on network errors, 429 and 5xx, and an id already
 * sent is not sent again. With an outbox (event-outbox.ts), each event is
 * on disk before it is sent and leaves it only when acknowledged; what a
 * dead process left there is sent at the next start.
 */
import type { Logger } from "pino";
import { postWithBackoff, sleepUnref } from "../common/http/backoff.js";
import { bearerHeader } from "../common/http/constant-time.js";
import { SIGNATURE_HEADER, signTimestampedBody, TIMESTAMP_HEADER } from "../common/http/hmac.js";
import type { ServerEvent } from "../deploy/events.js";
import { outboxVerdict, type EventOutbox } from "./event-outbox.js";

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
  /** Durable copy of every event not yet acknowledged; its leftovers are sent at creation. */
  readonly outbox?: EventOutbox;
  /** Time before events still in the outbox after a failed delivery are tried again (default 30 s). */
  readonly retryIntervalMs?: number;
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

/** Runs an outbox operation; a disk failure is logged, never thrown into a request. */
function guardDisk<T>(logger: Logger, run: () => T, what: string): T | undefined {
  try {
    return run();
  } catch (error) {
    logger.error({ err: error, event: what }, "event outbox: a disk operation failed");
    return undefined;
  }
}

/** Creates a sender; with no URL, events are only logged. */
export function createEventSender(options: EventSenderOptions): EventSender {
  const maxAttempts = options.maxAttempts ?? 5;
  const baseDelay = options.baseDelayMs ?? 250;
  const seen = new Set<string>();
  const guard = <T>(run: () => T, what: string) => guardDisk(options.logger, run, what);
  const queue: ServerEvent[] = [];
  let draining: Promise<void> | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  /** The event being delivered now (out of the queue, maybe still in the outbox). */
  let inFlight: string | null = null;

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
    settleInOutbox(event, outcome.ok ? 200 : outcome.status, outcome.ok || !outcome.exhausted);
    if (outcome.ok) return;
    const { status } = outcome;
    if (!outcome.exhausted) {
      options.logger.warn({ event: event.id, status }, "event refused by the receiver; not retried");
    } else {
      options.logger.warn({ event: event.id, status }, `event not delivered after ${maxAttempts} attempts`);
    }
  }

  /** Removes an acknowledged (or finally refused) event from the outbox; schedules another try otherwise. */
  function settleInOutbox(event: ServerEvent, status: number, final: boolean): void {
    const { outbox } = options;
    if (outbox === undefined) return;
    if (final && outboxVerdict(status) === "remove") {
      guard(() => outbox.remove(event.id), event.id);
      return;
    }
    retryTimer ??= setTimeout(() => {
      retryTimer = null;
      requeue(guard(() => outbox.pending(), "outbox") ?? []);
    }, options.retryIntervalMs ?? 30_000).unref();
  }

  /** Queues events from the outbox that are not queued already. */
  function requeue(events: readonly ServerEvent[]): void {
    const queued = new Set(queue.map((e) => e.id));
    if (inFlight !== null) queued.add(inFlight);
    for (const event of events) {
      if (queued.has(event.id)) continue;
      seen.add(event.id);
      queue.push(event);
    }
    if (queue.length > 0) draining ??= drain();
  }

  async function drain(): Promise<void> {
    for (let event = queue.shift(); event !== undefined; event = queue.shift()) {
      inFlight = event.id;
      await deliver(event);
    }
    inFlight = null;
    draining = null;
  }

  if (options.outbox !== undefined && options.url.length > 0) {
    const left = guard(() => options.outbox!.pending(), "outbox") ?? [];
    if (left.length > 0) options.logger.info({ events: left.length }, "sending events left in the outbox");
    requeue(left);
  }

  return {
    send(event) {
      if (seen.has(event.id)) return false;
      seen.add(event.id);
      if (seen.size > MAX_REMEMBERED_IDS) seen.delete(seen.values().next().value!);
      options.logger.info({ event: event.id, type: event.type }, "server event");
      if (options.url.length === 0) return true;
      if (options.outbox !== undefined) guard(() => options.outbox!.append(event), event.id);
      // An event dropped from a full queue stays in the outbox and is tried again later.
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
