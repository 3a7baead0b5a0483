/**
 * GitHub's advice for secondary rate limits — about one write a second, one
 * notifying write (issue, comment, pull request) every three seconds — kept
 * with a priority: writes made inside {@link withPriorityWrites} (the change
 * a rollback makes: branch, file, pull request, merge) take the next free
 * slot ahead of bookkeeping (decision log, tracking issue, comments) queued
 * earlier. Spacing stays the same; only the order changes, so a rollback does
 * not wait behind writes nobody is waiting for.
 *
 * The throttling plugin asks a "group" for `key(id).schedule(options, job)`
 * before each write; {@link createSpacedGroup} answers that with these rules.
 * Retries (the plugin passes `priority: 0`) also go first, as in the plugin's
 * own limiter.
 */
import { AsyncLocalStorage } from "node:async_hooks";

const priorityScope = new AsyncLocalStorage<true>();

/** Runs `work` with its GitHub writes ahead of queued ordinary ones (the flag follows every await inside). */
export function withPriorityWrites<T>(work: () => Promise<T>): Promise<T> {
  return priorityScope.run(true, work);
}

/** Whether the caller runs inside {@link withPriorityWrites}. */
export function hasWritePriority(): boolean {
  return priorityScope.getStore() === true;
}

interface Waiting {
  readonly first: boolean;
  readonly start: () => void;
}

/** One key's queue: at most one start per `minTimeMs`, priority waiters first, otherwise in order. */
class SpacedLane {
  private readonly waiting: Waiting[] = [];
  private lastStart = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly minTimeMs: number,
    private readonly now: () => number,
  ) {}

  schedule<T>(first: boolean, job: () => T | Promise<T>): Promise<T> {
    return new Promise<T>((resolve) => {
      const entry: Waiting = {
        first,
        // A job that throws becomes a rejection of its caller's promise.
        start: () => resolve(Promise.resolve().then(job)),
      };
      // Ahead of every ordinary waiter, behind earlier priority ones.
      const at = first ? this.waiting.findIndex((w) => !w.first) : -1;
      if (at === -1) this.waiting.push(entry);
      else this.waiting.splice(at, 0, entry);
      this.pump();
    });
  }

  private pump(): void {
    if (this.timer !== undefined || this.waiting.length === 0) return;
    const wait = this.lastStart + this.minTimeMs - this.now();
    if (wait > 0) {
      // The choice of who goes is made when the slot opens, not now: a
      // priority write arriving meanwhile still goes first.
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wait);
      return;
    }
    this.lastStart = this.now();
    this.waiting.shift()!.start();
    this.pump();
  }
}

/** The shape of a Bottleneck group the throttling plugin uses. */
export interface SpacedGroup {
  key(id?: string): { schedule: (...args: unknown[]) => Promise<unknown> };
}

/** A group of lanes (one per throttling id) spacing job starts `minTimeMs` apart. */
export function createSpacedGroup(minTimeMs: number, now: () => number = Date.now): SpacedGroup {
  const lanes = new Map<string, SpacedLane>();
  return {
    key(id = "") {
      let lane = lanes.get(id);
      if (lane === undefined) {
        lane = new SpacedLane(minTimeMs, now);
        lanes.set(id, lane);
      }
      const spaced = lane;
      return {
        schedule: (...args: unknown[]) => {
          // Bottleneck's signature: schedule([options,] job, ...jobArgs).
          const offset = typeof args[0] === "function" ? 0 : 1;
          const options = (offset === 1 ? args[0] : undefined) as { priority?: number } | undefined;
          const job = args[offset] as (...jobArgs: unknown[]) => unknown;
          const jobArgs = args.slice(offset + 1);
          const first = hasWritePriority() || options?.priority === 0;
          return spaced.schedule(first, () => job(...jobArgs));
        },
      };
    },
  };
}
