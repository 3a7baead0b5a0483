/**
 * The bot's hidden incident markers are sealed with its key and read only
 * from PRs its own user opened: a forged marker above the real one, or a
 * copy of the real one in a PR someone else opened, teaches the decision
 * log nothing. The bot runs as a real process with the engine and the
 * repository's decision log.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rollbackBranch } from "../../src/operations/incident-markers.js";
import { waitFor } from "../helpers/processes.js";
import { startBotHarness, type BotHarness } from "./bot-harness.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/bot/${name}`, import.meta.url), "utf8");

let bot: BotHarness;

beforeAll(async () => {
  bot = await startBotHarness({ policy: "engine", decisionLog: "repository" });
});

afterAll(async () => {
  await bot.stop();
});

interface LogLine {
  readonly type: string;
  readonly id?: string;
  readonly decision_id?: string;
  readonly fingerprint: string;
  readonly event?: string;
}

async function logLines(): Promise<LogLine[]> {
  const shards = await bot.readStateLog();
  return Object.values(shards)
    .flatMap((text) => text.split("\n").filter(Boolean))
    .map((line) => JSON.parse(line) as LogLine);
}

function lastReply(issue: number): string {
  const replies = bot.fake.comments.filter((c) => c.issue === issue && c.user === "meta-controller[bot]");
  return replies[replies.length - 1]?.body ?? "";
}

describe("incident markers", () => {
  it("a forged marker above the bot's own does not choose what /undo records", async () => {
    // Arrange: the bot rolls production back; someone puts a forged marker first in the PR body.
    expect((await bot.postAlert(fixture("alertmanager-firing.json"))).status).toBe(202);
    const branch = rollbackBranch("production", "c8f2a1d93b4e5f60", "2026-11-28T01:00:00.000Z");
    const pr = await waitFor(() => bot.fake.pulls.find((p) => p.head === branch), { timeout: 60_000 });
    const decision = await waitFor(
      async () =>
        (await logLines()).find((l) => l.type === "decision" && l.fingerprint === "c8f2a1d93b4e5f60"),
      { timeout: 60_000 },
    );
    pr.body = `<!-- meta-controller:incident fingerprint=attacker-fp decision=attacker-decision -->\n${pr.body}`;

    // Act
    await bot.comment({ issue: pr.number, body: "/undo", user: "writer" });

    // Assert: the revert names the real incident and decision.
    const reverts = await waitFor(async () => {
      const found = (await logLines()).filter((l) => l.event === "human_revert");
      return found.length > 0 ? found : undefined;
    });
    expect(reverts.map((r) => [r.fingerprint, r.decision_id])).toEqual([["c8f2a1d93b4e5f60", decision.id]]);
    expect(JSON.stringify(await logLines())).not.toContain("attacker");
  });

  it("a copy of the bot's real marker in a PR someone else opened is no rollback to undo", async () => {
    const real = bot.fake.pulls.find((p) => p.head.startsWith("meta-controller/rollback/production/"))!;
    const copy = await bot.fake.addPull({
      title: "Roll back production",
      head: "meta-controller/rollback/production/0123456789ab",
      body: real.body,
      user: "writer",
    });
    const before = (await logLines()).length;

    await bot.comment({ issue: copy.number, body: "/undo", user: "writer" });

    expect(lastReply(copy.number)).toMatch(/^Refused: #\d+ is not a rollback Meta-Controller opened/);
    expect((await logLines()).length).toBe(before);
  });
});
