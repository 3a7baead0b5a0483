/**
 * The bot as a real process against the fake GitHub: every comment command,
 * authorization refusals, webhook signatures, retries and the auto-merge
 * fallback. Merged PRs really change `main` of a git repository.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { D, ref, STAGING, startBotHarness, type BotHarness } from "./bot-harness.js";
import { renderReportMarker } from "../../src/github/report-marker.js";

let bot: BotHarness;

beforeAll(async () => {
  bot = await startBotHarness();
});

afterAll(async () => {
  await bot.stop();
});

afterEach(() => {
  expect(bot.fake.unexpected).toEqual([]);
});

function lastReply(issue: number): string {
  const replies = bot.fake.comments.filter((c) => c.issue === issue && c.user === "meta-controller[bot]");
  return replies[replies.length - 1]?.body ?? "";
}

describe("/deploy", () => {
  it("from a writer opens a deploy PR whose merge changes staging.yaml exactly, comments kept", async () => {
    // Arrange: a PR with the Action's report naming v4.
    const pr = await bot.fake.addPull({ title: "Train v4", head: "feature/train" });
    bot.fake.addComment(
      pr.number,
      `## Model report\n${renderReportMarker({ pipeline: "churn", ref: ref("v4", D.v4), gatesPassed: true, metrics: { auc: 0.91 } })}`,
      "github-actions[bot]",
    );
    const before = bot.fake.pulls.length;

    // Act
    const commentId = await bot.comment({ issue: pr.number, body: "  /DEPLOY   Canary ", user: "writer" });

    // Assert
    expect(bot.fake.reactions).toContainEqual({ comment: commentId, content: "eyes" });
    const opened = bot.fake.pulls[before];
    expect(opened?.head).toBe(`meta-controller/deploy/staging/${"4".repeat(12)}`);
    expect(opened?.labels).toEqual(["meta-controller", "meta-controller:deploy"]);
    expect(opened?.body).toContain("auc | 0.91");
    expect(opened?.body).toContain("passed");
    expect(opened?.merged).toBe(true);
    expect(opened?.autoMerge).toBe("SQUASH");
    const expected = STAGING.replace("candidate: null", `candidate: ${ref("v4", D.v4)}`);
    expect(await bot.fake.readFile("main", "environments/staging.yaml")).toBe(expected);
    expect(lastReply(pr.number)).toContain(`opened #${opened?.number}`);
    const deployment = bot.fake.deployments.find((d) => d.ref === opened?.head);
    expect(deployment?.environment).toBe("staging");
    expect(deployment?.statuses).toEqual(["in_progress"]);
  });

  it("from a reader changes nothing and says why", async () => {
    const pr = await bot.fake.addPull({ title: "Reader PR", head: "feature/reader" });
    const before = {
      pulls: bot.fake.pulls.length,
      main: await bot.fake.readFile("main", "environments/production.yaml"),
    };

    await bot.comment({
      issue: pr.number,
      body: `/deploy simple ${ref("v4", D.v4)} to production`,
      user: "reader",
    });

    expect(bot.fake.pulls.length).toBe(before.pulls);
    expect(await bot.fake.readFile("main", "environments/production.yaml")).toBe(before.main);
    expect(lastReply(pr.number)).toContain(
      "@reader has `read` permission; deploying to `production` needs `maintain`",
    );
  });
});
