/**
 * Background work after a 202: jobs with the same key (one repository and
 * environment) run one after the other, so two incidents never edit the same
 * file at once; different keys run side by side.
 */

/** A keyed serial queue. */
export interface WorkQueue {
  push(key: string, job: () => Promise<void>): void;
  /** Resolves when every job queued so far has finished. */
  idle(): Promise<void>;
  /** Jobs queued or running. */
  readonly pending: number;
}

/** Creates a queue; `onError` receives the failures of jobs. */
export function createWorkQueue(onError: (error: unknown, key: string) => void): WorkQueue {
  const tails = new Map<string, Promise<void>>();
  let pending = 0;
  let waiters: (() => void)[] = [];
  const settle = () => {
    if (pending === 0) {
      const ready = waiters;
      waiters = [];
      for (const resolve of ready) resolve();
    }
  };
  return {
    push(key, job) {
      pending++;
      const previous = tails.get(key) ?? Promise.resolve();
      const next = previous
        .then(job)
        .catch((error: unknown) => onError(error, key))
        .finally(() => {
          pending--;
          if (tails.get(key) === next) tails.delete(key);
          settle();
        });
      tails.set(key, next);
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
