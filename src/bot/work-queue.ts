/**
 * Background work after a 202: jobs with the same key (one repository and
 * environment) run one after the other, so two incidents never edit the same
 * file at once; different keys run side by side. An urgent job (a critical
 * incident) goes ahead of the non-urgent ones still waiting under its key —
 * never ahead of the one running, nor of urgent ones queued before it.
 */

/** How a job is queued. */
export interface PushOptions {
  /** Ahead of the waiting non-urgent jobs of the same key. */
  readonly urgent?: boolean;
}

/** A keyed serial queue. */
export interface WorkQueue {
  push(key: string, job: () => Promise<void>, options?: PushOptions): void;
  /** Resolves when every job queued so far has finished. */
  idle(): Promise<void>;
  /** Jobs queued or running. */
  readonly pending: number;
}

interface Waiting {
  readonly job: () => Promise<void>;
  readonly urgent: boolean;
}

/** Creates a queue; `onError` receives the failures of jobs. */
export function createWorkQueue(onError: (error: unknown, key: string) => void): WorkQueue {
  const lanes = new Map<string, Waiting[]>();
  let pending = 0;
  let waiters: (() => void)[] = [];
  const settle = () => {
    if (pending === 0) {
      const ready = waiters;
      waiters = [];
      for (const resolve of ready) resolve();
    }
  };
  /** Runs the lane's jobs until it is empty; the lane stays in the map while it runs. */
  const drain = async (key: string, lane: Waiting[]) => {
    // Start on a later tick: jobs pushed in the same tick are ordered (urgent first) before any runs.
    await Promise.resolve();
    for (let next = lane.shift(); next !== undefined; next = lane.shift()) {
      try {
        await next.job();
      } catch (error) {
        onError(error, key);
      }
      pending--;
      settle();
    }
    lanes.delete(key);
  };
  return {
    push(key, job, options = {}) {
      pending++;
      const entry: Waiting = { job, urgent: options.urgent === true };
      const lane = lanes.get(key);
      if (lane === undefined) {
        const fresh = [entry];
        lanes.set(key, fresh);
        void drain(key, fresh);
        return;
      }
      const at = entry.urgent ? lane.findIndex((w) => !w.urgent) : -1;
      if (at === -1) lane.push(entry);
      else lane.splice(at, 0, entry);
    },
    idle() {
      if (pending === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    get pending() {
      return pending;
    },
  };
}
