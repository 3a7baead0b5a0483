/**
 * Who chooses what a bare `/deploy` ships: only the Action's report
 * comment, and only for a model the registry holds. The bot runs as a real
 * process against the fake GitHub, with a folder registry holding one
 * model of the environment (pushed after its gates passed).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderReportMarker } from "../../src/github/report-marker.js";
import { addActionReport, D, lastBotReply, ref, startBotHarness, type BotHarness } from "./bot-harness.js";

let bot: BotHarness;

beforeAll(async () => {
  bot = await startBotHarness();
});

afterAll(async () => {
  await bot.stop();
});

function lastReply(issue: number): string {
  return lastBotReply(bot, issue);
}

describe("a bare /deploy", () => {
  it("ships the Action's reported model, not a newer marker a reader planted", async () => {
    // Arrange: the Action reports the registered model; then a reader hides a marker naming another.
    const pr = await bot.fake.addPull({ title: "Train", head: "feature/forged-report" });
    addActionReport(bot, pr.number, { auc: 0.91 });
    bot.fake.addComment(
      pr.number,
      `Nice work!\n<!-- meta-controller:report pipeline=churn ref=${encodeURIComponent(ref("v9", D.v4))} gates=passed metrics=roc_auc:0.99 -->`,
      "reader",
    );
    const before = bot.fake.pulls.length;

    // Act
    await bot.comment({ issue: pr.number, body: "/deploy canary to production", user: "maintainer" });

    // Assert: the registered model is deployed, with the registry's metrics only.
    const opened = bot.fake.pulls[before];
    expect(lastReply(pr.number)).toContain(`Deploy of \`${bot.registeredRef}\``);
    expect(opened?.head).toBe(
      `meta-controller/deploy/production/${bot.registeredRef.split("@sha256:")[1]!.slice(0, 12)}`,
    );
    expect(opened?.body).not.toContain("0.99");
    expect(opened?.body).not.toContain(D.v4);
    expect(opened?.body).toContain("auc | 0.91");
  });

  it("refuses a model the registry does not hold, even when the Action's identity reports it", async () => {
    const pr = await bot.fake.addPull({ title: "Train", head: "feature/unregistered" });
    bot.fake.addComment(
      pr.number,
      renderReportMarker({
        pipeline: "churn",
        ref: ref("v8", D.v3),
        gatesPassed: true,
        metrics: { auc: 0.99 },
      }),
      "github-actions[bot]",
    );
    const before = bot.fake.pulls.length;

    await bot.comment({ issue: pr.number, body: "/deploy canary to production", user: "maintainer" });

    expect(bot.fake.pulls).toHaveLength(before);
    expect(lastReply(pr.number)).toMatch(/^Refused: .*is not in the model registry/);
  });

  it("refuses when only readers' comments carry a marker", async () => {
    const pr = await bot.fake.addPull({ title: "Train", head: "feature/reader-only" });
    bot.fake.addComment(
      pr.number,
      renderReportMarker({ pipeline: "churn", ref: bot.registeredRef, gatesPassed: true }),
      "reader",
    );
    const before = bot.fake.pulls.length;

    await bot.comment({ issue: pr.number, body: "/deploy canary to production", user: "maintainer" });

    expect(bot.fake.pulls).toHaveLength(before);
    expect(lastReply(pr.number)).toMatch(/^Refused: no model to deploy/);
  });
});
