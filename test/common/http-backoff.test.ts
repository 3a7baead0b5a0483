/**
 * postWithBackoff against a scripted fetch: which answers are retried, how
 * many attempts are made, and the delays handed to a recorded fake sleep.
 */
import { describe, expect, it } from "vitest";
import { computeBackoffDelay, postWithBackoff, type Jitter } from "../../src/common/http/backoff.js";

/** A fetch answering each call with the next entry: a status, or an error to throw. */
function scriptedFetch(script: readonly (number | Error)[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fake: typeof fetch = (url, init) => {
    calls.push({ url: url instanceof Request ? url.url : url.toString(), init: init ?? {} });
    const next = script[calls.length - 1] ?? 200;
    if (next instanceof Error) return Promise.reject(next);
    return Promise.resolve(new Response(next === 204 ? null : "answer", { status: next }));
  };
  return { fetch: fake, calls };
}

function recordedSleep() {
  const waits: number[] = [];
  return {
    waits,
    sleep: (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    },
  };
}

describe("postWithBackoff", () => {
  it.each([
    { script: [200], attempts: 1, waits: [], ok: true, exhausted: undefined },
    { script: [503, 502, 204], attempts: 3, waits: [100, 200], ok: true, exhausted: undefined },
    { script: [429, 200], attempts: 2, waits: [100], ok: true, exhausted: undefined },
    {
      script: [new TypeError("fetch failed"), 200],
      attempts: 2,
      waits: [100],
      ok: true,
      exhausted: undefined,
    },
    { script: [500, 500, 500, 500], attempts: 4, waits: [100, 200, 400], ok: false, exhausted: true },
    { script: [400], attempts: 1, waits: [], ok: false, exhausted: false },
    { script: [500, 404], attempts: 2, waits: [100], ok: false, exhausted: false },
    { script: [401], attempts: 1, waits: [], ok: false, exhausted: false },
  ])(
    "answers $script → $attempts attempts, waits $waits",
    async ({ script, attempts, waits, ok, exhausted }) => {
      const { fetch, calls } = scriptedFetch(script);
      const slept = recordedSleep();

      const outcome = await postWithBackoff("http://receiver/hook", '{"a":1}', {
        maxAttempts: 4,
        baseDelayMs: 100,
        fetch,
        sleep: slept.sleep,
      });

      expect(outcome.ok).toBe(ok);
      expect(outcome.attempts).toBe(attempts);
      expect(calls).toHaveLength(attempts);
      expect(slept.waits).toEqual(waits);
      if (!outcome.ok) expect(outcome.exhausted).toBe(exhausted);
    },
  );

  it("sends the same body and headers every time, JSON by default", async () => {
    const { fetch, calls } = scriptedFetch([500, 200]);

    await postWithBackoff("http://receiver/hook", '{"a":1}', {
      headers: { authorization: "Bearer t" },
      maxAttempts: 2,
      baseDelayMs: 1,
      fetch,
      sleep: recordedSleep().sleep,
    });

    expect(calls.map((c) => [c.url, c.init.method, c.init.body])).toEqual([
      ["http://receiver/hook", "POST", '{"a":1}'],
      ["http://receiver/hook", "POST", '{"a":1}'],
    ]);
    for (const call of calls)
      expect(call.init.headers).toEqual({ "content-type": "application/json", authorization: "Bearer t" });
  });

  it("reports the last problem: the status, or the network error's message", async () => {
    const network = await postWithBackoff("http://x/", "{}", {
      maxAttempts: 2,
      baseDelayMs: 1,
      fetch: scriptedFetch([503, new Error("ECONNREFUSED")]).fetch,
      sleep: recordedSleep().sleep,
    });
    const http = await postWithBackoff("http://x/", "{}", {
      maxAttempts: 2,
      baseDelayMs: 1,
      fetch: scriptedFetch([new Error("ECONNRESET"), 503]).fetch,
      sleep: recordedSleep().sleep,
    });

    expect(network).toEqual({ ok: false, exhausted: true, status: 0, attempts: 2, problem: "ECONNREFUSED" });
    expect(http).toEqual({ ok: false, exhausted: true, status: 503, attempts: 2, problem: "HTTP 503" });
  });

  it("tells each network error to onNetworkError with its attempt number", async () => {
    const seen: [string, number][] = [];

    await postWithBackoff("http://x/", "{}", {
      maxAttempts: 3,
      baseDelayMs: 1,
      fetch: scriptedFetch([new Error("a"), 500, new Error("c")]).fetch,
      sleep: recordedSleep().sleep,
      onNetworkError: (error, attempt) => seen.push([(error as Error).message, attempt]),
    });

    expect(seen).toEqual([
      ["a", 1],
      ["c", 3],
    ]);
  });

  it("jitters each delay by a factor in [0.5, 1.5) drawn from the given source", async () => {
    const draws = [0, 0.5, 0.999];
    const jitter: Jitter = { next: () => draws.shift() ?? 0 };
    const slept = recordedSleep();

    await postWithBackoff("http://x/", "{}", {
      maxAttempts: 4,
      baseDelayMs: 100,
      jitter,
      fetch: scriptedFetch([500, 500, 500, 500]).fetch,
      sleep: slept.sleep,
    });

    expect(slept.waits).toEqual([50, 200, 400 * 1.499]);
  });
});

describe("computeBackoffDelay", () => {
  it.each([
    [1, 50],
    [2, 100],
    [3, 200],
    [8, 6400],
  ])("retry %i of base 50 → %i ms", (retry, ms) => {
    expect(computeBackoffDelay(retry, 50)).toBe(ms);
  });
});
