/**
 * Alert credentials are bound to repositories (and environments): a token
 * cannot steer a repository it was not given, and a signed alert is only
 * good for five minutes. The bot runs as a real process.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALERT_HMAC, signedAlertHeaders, startBotHarness, type BotHarness } from "./bot-harness.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/bot/${name}`, import.meta.url), "utf8");

let bot: BotHarness;

beforeAll(async () => {
  bot = await startBotHarness({
    env: {
      ALERT_CREDENTIALS: JSON.stringify([
        { token: "staging-only-token", repositories: ["acme/models"], environments: ["staging"] },
      ]),
    },
  });
});

afterAll(async () => {
  await bot.stop();
});

const victimAlert = () =>
  fixture("alertmanager-firing.json")
    .replaceAll('"repository": "acme/models"', '"repository": "victim/payments"')
    .replace("c8f2a1d93b4e5f60", "victim-fingerprint");

describe("an alert credential", () => {
  it("cannot act on another repository the app is installed on: 403, logged without the body", async () => {
    const calls = bot.fake.calls.length;

    const res = await bot.postAlert(victimAlert());

    expect(res.status).toBe(403);
    expect(JSON.stringify(res.json)).toContain("victim/payments");
    expect(bot.fake.calls.slice(calls).filter((c) => c.path.includes("victim"))).toEqual([]);
    expect(bot.stderr()).toMatch(/victim\/payments/);
    expect(bot.stderr()).not.toContain("@everyone");
  });

  it("listed for one environment cannot act on another", async () => {
    const res = await bot.postAlert(fixture("alertmanager-firing.json"), {
      authorization: "Bearer staging-only-token",
    });

    expect(res.status).toBe(403);
    expect(JSON.stringify(res.json)).toContain("production");
  });
});

describe("a signed alert", () => {
  const body = fixture("grafana-firing.json");

  it("older than five minutes is refused, so a captured request cannot be replayed later", async () => {
    const stale = signedAlertHeaders(body, ALERT_HMAC, Math.floor(Date.now() / 1000) - 600);

    const res = await bot.postAlert(body, stale);

    expect(res.status).toBe(401);
  });

  it("without a timestamp is refused, and the signature must cover the timestamp", async () => {
    const headers = signedAlertHeaders(body);
    const { ["x-meta-controller-timestamp"]: stamp, ...noStamp } = headers;
    const moved = { ...headers, "x-meta-controller-timestamp": String(Number(stamp) - 1) };

    expect((await bot.postAlert(body, noStamp)).status).toBe(401);
    expect((await bot.postAlert(body, moved)).status).toBe(401);
  });

  it("that is fresh is accepted", async () => {
    const res = await bot.postAlert(body, signedAlertHeaders(body));

    expect(res.status).toBe(202);
  });
});
