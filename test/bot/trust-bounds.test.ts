/**
 * The bot's HTTP server is bounded before anyone is authenticated: a huge
 * webhook body is refused without being held in memory, a refused body
 * never reaches the log, a slow client cannot hold a socket, and commands
 * run only from text a person wrote as a plain paragraph.
 */
import { readFile } from "node:fs/promises";
import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliverWebhook, signWebhook } from "../helpers/fake-github.js";
import { issueCommentCreated } from "../helpers/fake-github-webhooks.js";
import { waitFor } from "../helpers/processes.js";
import { startBotHarness, TARGET, WEBHOOK_SECRET, type BotHarness } from "./bot-harness.js";

let bot: BotHarness;

beforeAll(async () => {
  bot = await startBotHarness();
});

afterAll(async () => {
  await bot.stop();
});

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** A 200 MB body in 1 MiB chunks, streamed without a content-length. */
function hugeStream(): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(1024 * 1024).fill(0x61);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent++ >= 200) controller.close();
      else controller.enqueue(chunk);
    },
  });
}

/** Declares a 200 MB body, sends 64 KiB of it, and resolves with the status the bot answers meanwhile. */
function declaredHuge(url: URL): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(200 * 1024 * 1024) },
    });
    req.on("response", (res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on("error", reject);
    req.write(Buffer.alloc(64 * 1024, 0x61));
  });
}

describe("webhook bodies", () => {
  it("over the cap are refused by content-length, and streamed ones by counting, with memory flat", async () => {
    const pid = bot.pids[0]!;
    const before = await rssMiB(pid);

    const declared = await declaredHuge(new URL(`${bot.botUrl}/api/github/webhooks`));
    const streamed = await fetch(`${bot.botUrl}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "issue_comment" },
      body: hugeStream(),
      duplex: "half",
    });

    expect(declared).toBe(413);
    expect(streamed.status).toBe(413);
    // Unbounded, the bot held the whole body (and more): 2 GB for 200 MB.
    expect(await rssMiB(pid)).toBeLessThan(before + 200);
  });

  it("with a bad signature never reach the log", async () => {
    const payload = issueCommentCreated(TARGET, {
      issue: 1,
      body: `/status ${"secret-looking-text ".repeat(5000)}`,
      user: "boss",
      isPullRequest: true,
      commentId: 1,
    });

    const status = await deliverWebhook(
      `${bot.botUrl}/api/github/webhooks`,
      WEBHOOK_SECRET,
      "issue_comment",
      payload,
      signWebhook("not-the-secret", JSON.stringify(payload)),
    );

    expect(status).toBe(400);
    expect(bot.stderr()).not.toContain("secret-looking-text");
    const longest = Math.max(
      ...bot
        .stderr()
        .split("\n")
        .map((l) => l.length),
    );
    expect(longest).toBeLessThan(4096);
  });
});

describe("slow clients", () => {
  it("that never finish their headers are disconnected", async () => {
    const url = new URL(bot.botUrl);
    const sockets = Array.from({ length: 3 }, () => {
      const socket = connect(Number(url.port), url.hostname);
      let closed = false;
      socket.on("close", () => (closed = true));
      socket.on("error", () => undefined);
      // Read what the bot answers (its 408), so the end of the connection is seen.
      socket.resume();
      socket.write("POST /api/github/webhooks HTTP/1.1\r\nHost: bot\r\n");
      return { socket, closed: () => closed };
    });

    await waitFor(() => sockets.every((s) => s.closed()), { timeout: 40_000 });

    for (const { socket } of sockets) socket.destroy();
  }, 60_000);
});

describe("commands", () => {
  it.each([
    { name: "indented code", body: "Here is how:\n\n    /rollback production\n" },
    { name: "an HTML comment", body: "LGTM\n<!--\n/rollback production\n-->" },
    { name: "a details block", body: "<details>\n/rollback production\n</details>" },
    { name: "inline code", body: "`/rollback production`" },
  ])("hidden in $name are not run", async ({ body }) => {
    const pr = await bot.fake.addPull({ title: "Hidden", head: `feature/hidden-${Math.random()}` });
    const commentId = 77_000 + pr.number;
    const payload = issueCommentCreated(TARGET, {
      issue: pr.number,
      body,
      user: "boss",
      isPullRequest: true,
      commentId,
    });

    // Probot answers once the handler has run.
    const status = await deliverWebhook(
      `${bot.botUrl}/api/github/webhooks`,
      WEBHOOK_SECRET,
      "issue_comment",
      payload,
    );

    expect(status).toBe(200);
    expect(bot.fake.reactions.map((r) => r.comment)).not.toContain(commentId);
    expect(bot.fake.comments.filter((c) => c.issue === pr.number)).toEqual([]);
  });
});
