/**
 * POST with retries: network errors, 429 and 5xx are tried again after an
 * exponentially growing (optionally jittered) delay; any other answer is
 * final. The model server's event sender and the Slack notifier post through
 * it, and the state branch's lost-race retries use its delay and sleep.
 */

/** Waits `ms` milliseconds; tests pass one that records and returns at once. */
export type Sleep = (ms: number) => Promise<void>;

/** A source of uniform numbers in [0, 1) ({@link Random} fits). */
export interface Jitter {
  next(): number;
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits `ms` milliseconds without keeping the process alive: for work in the
 * background (event delivery) that must not delay a shutdown.
 */
export function sleepUnref(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * The delay before retry number `retry` (1 for the first retry):
 * `baseDelayMs × 2^(retry − 1)`, times a factor drawn uniformly from
 * [0.5, 1.5) when `jitter` is given, so clients that failed together do not
 * retry in step.
 */
export function computeBackoffDelay(retry: number, baseDelayMs: number, jitter?: Jitter): number {
  const delay = baseDelayMs * 2 ** (retry - 1);
  return jitter === undefined ? delay : delay * (0.5 + jitter.next());
}

/** Whether an HTTP status is worth another try: 429 and 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Settings of {@link postWithBackoff}. */
export interface PostWithBackoffOptions {
  readonly headers?: Readonly<Record<string, string>>;
  /** Attempts in all, the first included (at least 1). */
  readonly maxAttempts: number;
  /** Delay before the first retry, in ms; doubled for each further one. */
  readonly baseDelayMs: number;
  /** Spreads the delays (see {@link computeBackoffDelay}); none when absent. */
  readonly jitter?: Jitter;
  /** Per-attempt timeout in ms (default 10 000). */
  readonly timeoutMs?: number;
  /** Default {@link sleep}. */
  readonly sleep?: Sleep;
  /** Default the global fetch. */
  readonly fetch?: typeof fetch;
  /** Told of each attempt that got no answer (network error, timeout). */
  readonly onNetworkError?: (error: unknown, attempt: number) => void;
}

/** How a {@link postWithBackoff} ended. */
export type PostOutcome =
  | { readonly ok: true; readonly status: number; readonly attempts: number }
  | {
      readonly ok: false;
      /** True when every attempt failed in a retryable way; false when a 4xx (not 429) ended it. */
      readonly exhausted: boolean;
      /** The last status, 0 when the last attempt got no answer. */
      readonly status: number;
      readonly attempts: number;
      /** `HTTP <status>` or the last network error's message. */
      readonly problem: string;
    };

/**
 * POSTs `body` to `url` until a 2xx, a final answer, or `maxAttempts`
 * attempts. Never throws for an HTTP or network failure: the outcome says
 * what happened, and the caller decides whether that is an error. Each
 * answer's body is read and dropped so the connection can be reused.
 */
export async function postWithBackoff(
  url: string,
  body: string,
  options: PostWithBackoffOptions,
): Promise<PostOutcome> {
  const post = options.fetch ?? fetch;
  const wait = options.sleep ?? sleep;
  let status = 0;
  let problem = "";
  let attempt = 0;
  while (attempt < options.maxAttempts) {
    attempt++;
    if (attempt > 1) await wait(computeBackoffDelay(attempt - 1, options.baseDelayMs, options.jitter));
    try {
      const response = await post(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...options.headers },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { ok: true, status, attempts: attempt };
      problem = `HTTP ${status}`;
      if (!isRetryableStatus(status))
        return { ok: false, exhausted: false, status, attempts: attempt, problem };
    } catch (error) {
      status = 0;
      problem = error instanceof Error ? error.message : String(error);
      options.onNetworkError?.(error, attempt);
    }
  }
  return { ok: false, exhausted: true, status, attempts: attempt, problem };
}
