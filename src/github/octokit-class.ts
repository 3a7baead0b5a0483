/**
 * The Octokit class the bot talks to GitHub with: Probot's, which carries
 * `@octokit/plugin-retry` (5xx retried with backoff) and
 * `@octokit/plugin-throttling` (429 and rate limits waited out), tuned here.
 */
import { ProbotOctokit } from "probot";
import { createSpacedGroup } from "./write-spacing.js";

/** Tuning of retries and throttling. */
export interface GitHubClientOptions {
  /** Retries of a failed request (5xx, 429). Default 3. */
  readonly retries?: number;
  /** Base delay of a retry in ms; the n-th retry waits base × n². Default 1000. */
  readonly retryBaseMs?: number;
  /** One "second" of a rate-limit `retry-after`, in ms. Default 1000. */
  readonly rateLimitUnitMs?: number;
  /**
   * Keep GitHub's advice of one write per second and one notifying write per
   * three seconds (secondary rate limits), priority writes first (see
   * `write-spacing.ts`). Default true; tests and benches against a local
   * fake switch it off.
   */
  readonly spaceWrites?: boolean;
}

/** A limiter group that runs jobs at once: the throttling plugin only calls `key().schedule()`. */
function createImmediateGroup() {
  const limiter = {
    schedule: (...args: unknown[]): Promise<unknown> => {
      const offset = typeof args[0] === "function" ? 0 : 1;
      const job = args[offset] as (...jobArgs: unknown[]) => unknown;
      return Promise.resolve(job(...args.slice(offset + 1)));
    },
  };
  return { key: () => limiter };
}

/** Builds the Octokit class for Probot and for direct use. */
export function createOctokitClass(options: GitHubClientOptions = {}): typeof ProbotOctokit {
  const unit = options.rateLimitUnitMs ?? 1000;
  const spacing =
    options.spaceWrites === false
      ? {
          write: createImmediateGroup(),
          notifications: createImmediateGroup(),
          search: createImmediateGroup(),
        }
      : // One pair of groups per class, shared by every installation's client as the plugin's own are.
        { write: createSpacedGroup(1000), notifications: createSpacedGroup(3000) };
  // A function, not an object: Probot passes its own `throttle` settings per
  // instance, and a shallow merge would drop ours.
  return ProbotOctokit.defaults((instance: Record<string, unknown>) => ({
    ...instance,
    retry: { retries: options.retries ?? 3, retryAfterBaseValue: options.retryBaseMs ?? 1000 },
    throttle: {
      ...(instance.throttle as Record<string, unknown> | undefined),
      retryAfterBaseValue: unit,
      ...spacing,
    },
  }));
}
