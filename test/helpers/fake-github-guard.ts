/**
 * Makes the fake GitHub fail the running test by itself when it answered a
 * call it did not expect (a route it does not know, a token it did not
 * issue, a handler that threw), the way renovate's `http-mock` fails on an
 * unmocked request, so no test file has to remember an `afterEach` that
 * looks at `fake.unexpected`.
 *
 * How: importing this module under vitest registers one `afterEach` on the
 * test file being collected (vitest evaluates a file's modules afresh for
 * each test file). After every test it throws, listing them, when a fake
 * that was open during the test got unexpected calls since the last check.
 * That covers a fake started in the test itself, in `beforeEach`, or in
 * `beforeAll` and shared by the file's tests; each test answers only for the
 * calls made since the previous check. Outside vitest (`npm run e2e`) nothing is
 * registered and the script reads `unexpected` itself.
 */
import { afterEach } from "vitest";

/** The part of a recorded call a failure message names. */
export interface UnexpectedCall {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly body: unknown;
}

interface Watched {
  readonly url: string;
  readonly unexpected: readonly UnexpectedCall[];
  /** How many of `unexpected` an earlier test already answered for. */
  reported: number;
  closed: boolean;
}

const watched = new Set<Watched>();

// VITEST is set in vitest's workers; a plain node script must not touch the runner.
if (process.env.VITEST) afterEach(assertNoUnexpectedCalls);

/** One line per call: `GET /repos/acme/models/nope → 404`, with the error for a 500. */
function describeCall(call: UnexpectedCall): string {
  const detail = call.status === 500 ? ` (${String(call.body)})` : "";
  return `  ${call.method} ${call.path} → ${call.status}${detail}`;
}

/**
 * Puts a fake under watch. `unexpected` is the fake's own list, read (never
 * changed) after each test; call `closed()` when the fake stops so it is
 * dropped after its last check.
 */
export function watchUnexpectedCalls(url: string, unexpected: readonly UnexpectedCall[]): { closed(): void } {
  const entry: Watched = { url, unexpected, reported: unexpected.length, closed: false };
  watched.add(entry);
  return {
    closed() {
      entry.closed = true;
    },
  };
}

/**
 * Throws when a watched fake got unexpected calls since the last check. The
 * `afterEach` this module registers calls it; a test may call it earlier.
 */
export function assertNoUnexpectedCalls(): void {
  const problems: string[] = [];
  for (const entry of watched) {
    const fresh = entry.unexpected.slice(entry.reported);
    entry.reported = entry.unexpected.length;
    if (entry.closed) watched.delete(entry);
    if (fresh.length === 0) continue;
    problems.push(
      `fake GitHub at ${entry.url} got ${fresh.length} unexpected call(s) (unknown route, or no token it issued):`,
      ...fresh.map(describeCall),
    );
  }
  if (problems.length > 0) throw new Error(problems.join("\n"));
}
