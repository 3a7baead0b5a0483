/**
 * Decision-log appends that failed, kept in order and retried before the
 * next append, so the log never blocks a safety action and outcomes never
 * land before the decision they judge.
 */
import { DataError } from "../common/errors.js";
import type { Logger } from "../common/logger.js";
import type { DecisionLogStore } from "./decision-log-store.js";
import type { LogRecord } from "./decision-log.js";

/** An append that failed, waiting for its store to answer again. */
interface PendingAppend {
  readonly store: DecisionLogStore;
  readonly records: readonly LogRecord[];
  readonly at: Date;
}

/** The outbox. */
export interface DecisionLogOutbox {
  /** Appends, or keeps the records for later; returns why it could not write now, if it could not. */
  appendOrKeep(store: DecisionLogStore, records: readonly LogRecord[], at: Date): Promise<string | undefined>;
  /** Appends waiting to be retried. */
  pending(): number;
}

/** The message of an error, or its text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Creates an outbox holding at most `limit` appends; the oldest is dropped (and logged) past it. */
export function createDecisionLogOutbox(log: Logger, limit: number): DecisionLogOutbox {
  const waiting: PendingAppend[] = [];

  /** Retries what waits, in order; stops at the first that still fails so the log keeps its order. */
  async function flush(): Promise<void> {
    while (waiting.length > 0) {
      const next = waiting[0]!;
      try {
        await next.store.append(next.records, next.at);
      } catch (error) {
        log.warn({ err: error, waiting: waiting.length }, "decision log still cannot be written");
        return;
      }
      waiting.shift();
    }
  }

  function keep(entry: PendingAppend): void {
    waiting.push(entry);
    while (waiting.length > limit) {
      const dropped = waiting.shift()!;
      log.error({ store: dropped.store.name, records: dropped.records }, "decision log outbox full; dropped");
    }
  }

  return {
    pending: () => waiting.length,
    async appendOrKeep(store, records, at) {
      await flush();
      if (waiting.length > 0) {
        // Earlier lines still wait: queue behind them so outcomes never precede their decision.
        keep({ store, records, at });
        return `${waiting.length - 1} earlier records still wait to be written`;
      }
      try {
        await store.append(records, at);
        return undefined;
      } catch (error) {
        // A record the schema refuses would be refused forever: reported, not kept.
        if (error instanceof DataError) {
          log.error({ err: error }, "decision log record refused");
          return messageOf(error);
        }
        log.warn({ err: error, store: store.name }, "decision log append failed; kept for a retry");
        keep({ store, records, at });
        return messageOf(error);
      }
    },
  };
}
