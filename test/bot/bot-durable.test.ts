/**
 * Nothing acknowledged is lost: the bot as a real process, killed with
 * SIGKILL after its 202 and started again on the same state directory,
 * opens the rollback PR exactly once; a captured signed alert replayed
 * after the restart is still a duplicate.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { rollbackBranch } from "../../src/operations/incident-markers.js";
import { waitFor } from "../helpers/processes.js";
import { signedAlertHeaders, startBotHarness, type BotHarness } from "./bot-harness.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/bot/${name}`, import.meta.url), "utf8");

/** The fixture's critical production alert with its own fingerprint. */
function criticalAlert(fingerprint: string): string {
  const body = JSON.parse(fixture("alertmanager-firing.json")) as {
    alerts: { fingerprint: string }[];
  };
  body.alerts[0]!.fingerprint = fingerprint;
  return JSON.stringify(body);
}

const STARTS_AT = "2026-11-28T01:00:00.000Z";

let bot: BotHarness | undefined;

afterEach(async () => {
  await bot?.stop();
  bot = undefined;
});

/** Waits until the incident's PR is merged and has its Deployments status: the change's last write. */
async function waitForMergedRollback(harness: BotHarness, branch: string) {
  const pr = await waitFor(() => harness.fake.pulls.find((p) => p.head === branch && p.merged), {
    timeout: 90_000,
  });
  await waitFor(
    () =>
      harness.fake.callsTo("POST", /\/deployments\/\d+\/statuses$/).find((c) => {
        const body = c.body as { description?: string };
        return body.description === `PR #${pr.number} opened`;
      }),
    { timeout: 90_000 },
  );
  return pr;
}

describe("kill -9 and restart", { timeout: 180_000 }, () => {
  it("an alert acknowledged just before the kill gets its PR once, after the restart", async () => {
    // Arrange: every GitHub call takes 150 ms, so the kill lands before the bot wrote anything.
    bot = await startBotHarness({ latencyMs: 150 });
    const branch = rollbackBranch("production", "0000killed000000", STARTS_AT);

    // Act
    const res = await bot.postAlert(criticalAlert("0000killed000000"));
    await bot.kill();
    const writtenBeforeKill = bot.fake.callsTo("POST", /\/git\/refs$/).length;
    await bot.restart();

    // Assert
    expect(res).toEqual({ status: 202, json: { accepted: 1, duplicates: 0 } });
    expect(writtenBeforeKill).toBe(0);
    await waitForMergedRollback(bot, branch);
    expect(bot.fake.pulls.filter((p) => p.head === branch)).toHaveLength(1);
  });

  it("a kill between the branch and the PR is finished after the restart, with one PR", async () => {
    // Arrange
    bot = await startBotHarness({ latencyMs: 150 });
    const harness = bot;
    const branch = rollbackBranch("production", "0000halfway00000", STARTS_AT);

    // Act: killed the moment GitHub made the branch (the bot has not even heard the answer).
    expect((await harness.postAlert(criticalAlert("0000halfway00000"))).status).toBe(202);
    await waitFor(
      () =>
        harness.fake
          .callsTo("POST", /\/git\/refs$/)
          .find((c) => (c.body as { ref?: string }).ref === `refs/heads/${branch}` && c.status === 201),
      { timeout: 90_000 },
    );
    await harness.kill();
    const pullsBeforeRestart = harness.fake.pulls.filter((p) => p.head === branch).length;
    await harness.restart();

    // Assert
    expect(pullsBeforeRestart).toBe(0);
    await waitForMergedRollback(harness, branch);
    expect(harness.fake.pulls.filter((p) => p.head === branch)).toHaveLength(1);
  });

  it("a captured signed alert replayed after a restart is a duplicate", async () => {
    // Arrange: the alert is handled, and its signed body captured.
    bot = await startBotHarness();
    const body = criticalAlert("0000captured0000");
    // Signed now, replayed after the restart within the 5 minutes the timestamp allows.
    const headers = signedAlertHeaders(body);
    const branch = rollbackBranch("production", "0000captured0000", STARTS_AT);
    expect((await bot.postAlert(body, headers)).status).toBe(202);
    await waitForMergedRollback(bot, branch);

    // Act
    await bot.kill();
    await bot.restart();
    const replay = await bot.postAlert(body, headers);

    // Assert
    expect(replay).toEqual({ status: 202, json: { accepted: 0, duplicates: 1 } });
    expect(bot.fake.pulls.filter((p) => p.head === branch)).toHaveLength(1);
  });
});
