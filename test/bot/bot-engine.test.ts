/**
 * The bot with the decision engine (its default policy) as a real process:
 * a critical production alert right after a deploy is rolled back, the
 * decision is logged on the repository's state branch, and the engine's
 * diagnosis goes into the PR.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { rollbackBranch } from "../../src/operations/incident-markers.js";
import { waitFor } from "../helpers/processes.js";
import { D, PRODUCTION_V1, startBotHarness, type BotHarness } from "./bot-harness.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/bot/${name}`, import.meta.url), "utf8");

let bot: BotHarness;

beforeAll(async () => {
  bot = await startBotHarness({ policy: "engine", decisionLog: "repository" });
});

afterAll(async () => {
  await bot.stop();
});

it("rolls production back on a critical alert after a deploy, and logs the decision", async () => {
  const res = await bot.postAlert(fixture("alertmanager-firing.json"));

  expect(res.status).toBe(202);
  const branch = rollbackBranch("production", "c8f2a1d93b4e5f60", "2026-11-28T01:00:00.000Z");
  const pr = await waitFor(() => bot.fake.pulls.find((p) => p.head === branch && p.merged));
  expect(pr.body).toContain("**rollback** (`critical_after_deploy`)");
  expect(await bot.fake.readFile("main", "environments/production.yaml")).toBe(
    PRODUCTION_V1.replace("quarantine: []", `quarantine: [${D.v2}]`),
  );
  const shards = await waitFor(async () => {
    const log = await bot.readStateLog();
    return Object.keys(log).length > 0 && log;
  });
  expect(Object.keys(shards)).toEqual([expect.stringMatching(/^\d{4}-\d{2}\.jsonl$/)]);
  const log = Object.values(shards)[0]!;
  const record = JSON.parse(log.split("\n")[0]!) as { type: string; action: string; fingerprint: string };
  expect([record.type, record.action, record.fingerprint]).toEqual([
    "decision",
    "rollback",
    "c8f2a1d93b4e5f60",
  ]);
});
