import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { NotificationError, sendSlackNotification } from "../../src/decision/notify-slack.js";

interface Received {
  method: string;
  contentType: string | undefined;
  body: unknown;
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** A webhook on loopback that answers with the given statuses in turn (then 500). */
async function startWebhook(statuses: number[]): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        contentType: req.headers["content-type"],
        body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown,
      });
      res.writeHead(statuses.shift() ?? 500);
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T/B/secret`, received };
}

const noSleep = { sleep: () => Promise.resolve() };

describe("sendSlackNotification", () => {
  it("posts a JSON text payload", async () => {
    const hook = await startWebhook([200]);

    const attempts = await sendSlackNotification(hook.url, "rollback of churn in production", noSleep);

    expect(attempts).toBe(1);
    expect(hook.received).toEqual([
      { method: "POST", contentType: "application/json", body: { text: "rollback of churn in production" } },
    ]);
  });

  it.each([
    [[429, 200], 2],
    [[500, 503, 200], 3],
  ])("retries after %j and succeeds on attempt %i, backing off exponentially", async (statuses, expected) => {
    const hook = await startWebhook(statuses);
    const waits: number[] = [];

    const attempts = await sendSlackNotification(hook.url, "x", {
      backoffMs: 100,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });

    expect(attempts).toBe(expected);
    expect(waits).toEqual([100, 200].slice(0, expected - 1));
  });

  it("gives up after the retries with an error that names the host, not the secret path", async () => {
    const hook = await startWebhook([500, 500, 500]);

    const error = await sendSlackNotification(hook.url, "x", { ...noSleep, retries: 2 }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(NotificationError);
    expect((error as Error).message).toMatch(/127\.0\.0\.1:\d+ failed: HTTP 500/);
    expect((error as Error).message).not.toContain("secret");
    expect(hook.received).toHaveLength(3);
  });

  it("does not retry a client error such as 404", async () => {
    const hook = await startWebhook([404]);

    await expect(sendSlackNotification(hook.url, "x", noSleep)).rejects.toThrow(/HTTP 404/);
    expect(hook.received).toHaveLength(1);
  });

  it.each(["not a url", "file:///etc/passwd"])("rejects the webhook URL %j before sending", async (url) => {
    await expect(sendSlackNotification(url, "x", noSleep)).rejects.toThrow(NotificationError);
  });
});
