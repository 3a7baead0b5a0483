/**
 * The event sender's outbox on disk (`outbox/` in the server's state
 * folder): each event is written there, durably, before it is sent, and
 * removed once the receiver answers 2xx. Whatever is left when the process
 * dies is sent again at the next start. The receiver deduplicates on the
 * event id, so an event acknowledged just before a crash and sent again
 * after it is harmless; an event never acknowledged is never lost.
 */
import { join, extname } from "node:path";
import type { Logger } from "pino";
import { ServerEvent } from "../deploy/events.js";
import { listFiles, readFileIfExists, removeFileDurably, writeFileDurably } from "./durable-file.js";

/** The durable side of the event queue. */
export interface EventOutbox {
  readonly dir: string;
  /** Writes `event` to disk before it is sent. */
  append(event: ServerEvent): void;
  /** Removes an event the receiver acknowledged (or refused for good). */
  remove(id: string): void;
  /** The events still waiting, oldest first. */
  pending(): ServerEvent[];
}

/** Events kept at most; beyond it the oldest are dropped (and logged), so a bot down for days cannot fill the disk. */
export const MAX_OUTBOX_EVENTS = 10_000;

/**
 * What to do with an event after the receiver's last answer: remove it when
 * acknowledged (2xx) or refused for a reason a retry cannot fix (a 4xx
 * other than 401, 403, 408 and 429: the body itself was refused); keep it
 * otherwise (5xx, network errors, a credential the operator can fix).
 */
export function outboxVerdict(status: number): "remove" | "keep" {
  if (status >= 200 && status < 300) return "remove";
  if (status >= 400 && status < 500 && ![401, 403, 408, 429].includes(status)) return "remove";
  return "keep";
}

/** Event ids are `[A-Za-z0-9][A-Za-z0-9_.:-]*`: safe as file names. */
function fileOf(id: string): string {
  return `${id}.json`;
}

function readEvent(dir: string, name: string, logger: Logger): ServerEvent | undefined {
  const path = join(dir, name);
  try {
    const text = readFileIfExists(path);
    if (text === undefined) return undefined;
    return ServerEvent.parse(JSON.parse(text));
  } catch (error) {
    // Written atomically, so this is damage from outside; keep the bytes for a person, out of the way.
    logger.error({ err: error, path }, `${path}: not a server event; moved aside and not sent`);
    writeFileDurably(join(dir, `.unreadable-${name}`), readFileIfExists(path) ?? "");
    removeFileDurably(path);
    return undefined;
  }
}

/** Opens the outbox under `stateDir`. */
export function openEventOutbox(stateDir: string, logger: Logger): EventOutbox {
  const dir = join(stateDir, "outbox");
  let count = listFiles(dir).length;
  return {
    dir,
    append(event) {
      writeFileDurably(join(dir, fileOf(event.id)), JSON.stringify(event));
      if (++count <= MAX_OUTBOX_EVENTS) return;
      const events = this.pending();
      for (const old of events.slice(0, events.length - MAX_OUTBOX_EVENTS)) {
        logger.warn({ event: old.id, dir }, `outbox over ${MAX_OUTBOX_EVENTS} events; the oldest is dropped`);
        this.remove(old.id);
      }
    },
    remove(id) {
      removeFileDurably(join(dir, fileOf(id)));
      count = Math.max(0, count - 1);
    },
    pending() {
      const events = listFiles(dir)
        .filter((name) => extname(name) === ".json")
        .map((name) => readEvent(dir, name, logger))
        .filter((event): event is ServerEvent => event !== undefined);
      count = events.length;
      return events.sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.id.localeCompare(b.id));
    },
  };
}
