/**
 * Event delivery against a loopback receiver: the signature is the one the
 * bot's alert route accepts, 5xx answers are retried with the same body,
 * a duplicate id is sent once, a 4xx is not retried; with an outbox, an
 * event never taken is kept on disk and tried again.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { isAuthorizedAlert } from "../../src/bot/alert-route.js";
import { createSilentLogger } from "../../src/common/logger.js";
import { ServerEvent } from "../../src/deploy/events.js";
import { openEventOutbox } from "../../src/serve/event-outbox.js";
import { createEventSender } from "../../src/serve/event-sender.js";
import { waitFor } from "../helpers/processes.js";

const event: ServerEvent = {
  id: "staging.rollout.aborted.abc.1",
  type: "rollout.aborted",
  environment: "staging",
  model: "churn",
  digests: { stable: `sha256:${"a".repeat(64)}`, candidate: `sha256:${"b".repeat(64)}` },
  evidence: [
    {
      id: "error_rate",
      text: "error rate 0.5 against 0.02",
      value: 0.5,
      threshold: 0.02,
      direction: "above",
    },
  ],
  timestamp: "2026-11-28T03:00:00.000Z",
};

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
});

async function receiver(statuses: number[]) {
  const calls: { headers: IncomingHttpHeaders; body: Buffer }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      calls.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(statuses[calls.length - 1] ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  close = () => new Promise<void>((r) => server.close(() => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/alerts`, calls };
}

it("retries 5xx with the same signed body until accepted, and sends a duplicate id once", async () => {
  // Arrange
  const { url, calls } = await receiver([503, 502, 200]);
  const sender = createEventSender({
    url,
    hmacSecret: "s3cret",
    baseDelayMs: 5,
    logger: createSilentLogger(),
  });
  // Act
  const first = sender.send(event);
  const second = sender.send({ ...event, timestamp: "2026-11-28T03:00:01.000Z" });
  await sender.flush();
  // Assert
  expect([first, second]).toEqual([true, false]);
  expect(calls).toHaveLength(3);
  expect(new Set(calls.map((c) => c.body.toString())).size).toBe(1);
  for (const call of calls)
    expect(isAuthorizedAlert(call.headers, call.body, undefined, "s3cret")).toBe(true);
  expect(isAuthorizedAlert(calls[0]!.headers, calls[0]!.body, undefined, "other")).toBe(false);
  expect(ServerEvent.parse(JSON.parse(calls[0]!.body.toString()))).toEqual(event);
});

it.each([
  [[400], 1],
  [[500, 500, 500], 3],
])("answers %j → %i attempts (bearer token, at most maxAttempts)", async (statuses, attempts) => {
  const { url, calls } = await receiver(statuses);
  const sender = createEventSender({
    url,
    token: "tok",
    maxAttempts: 3,
    baseDelayMs: 5,
    logger: createSilentLogger(),
  });
  sender.send(event);
  await sender.flush();
  expect(calls).toHaveLength(attempts);
  expect(isAuthorizedAlert(calls[0]!.headers, calls[0]!.body, "tok", undefined)).toBe(true);
});

it("does not wait for delivery: send returns before the receiver answers", async () => {
  const { url, calls } = await receiver([200]);
  const sender = createEventSender({ url, logger: createSilentLogger() });
  sender.send(event);
  expect(calls).toHaveLength(0);
  await sender.flush();
  expect(calls).toHaveLength(1);
});

it("keeps an event the receiver never took in the outbox, tries it again later, and removes it once taken", async () => {
  // Arrange: two attempts answered 500, the later retry 200.
  const { url, calls } = await receiver([500, 500, 200]);
  const folder = await mkdtemp(join(tmpdir(), "mc-outbox-"));
  try {
    const outbox = openEventOutbox(folder, createSilentLogger());
    const sender = createEventSender({
      url,
      maxAttempts: 2,
      baseDelayMs: 5,
      retryIntervalMs: 50,
      outbox,
      logger: createSilentLogger(),
    });

    // Act
    sender.send(event);
    await sender.flush();
    const afterRefusals = outbox.pending().map((e) => e.id);
    await waitFor(() => calls.length === 3 && outbox.pending().length === 0, { what: "the retry" });

    // Assert
    expect(afterRefusals).toEqual([event.id]);
    expect(calls.map((c) => JSON.parse(c.body.toString("utf8")) as { id: string }).map((b) => b.id)).toEqual([
      event.id,
      event.id,
      event.id,
    ]);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
