/**
 * The critical path first, read from the fake GitHub's request log (order,
 * never times): a critical alert queued behind two drift alerts of the
 * same environment is handled first, the rollback PR's writes come
 * before the decision log's, and with GitHub's write spacing on (the
 * default) the rollback's writes take the next slots ahead of bookkeeping
 * an earlier alert had queued.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { STATE_BRANCH } from "../../src/github/state-branch.js";
import { rollbackBranch } from "../../src/operations/incident-markers.js";
import { waitFor } from "../helpers/processes.js";
import { startBotHarness, type BotHarness } from "./bot-harness.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/bot/${name}`, import.meta.url), "utf8");

interface Alert {
  labels: Record<string, string>;
  fingerprint: string;
  startsAt: string;
}

/** The fixture's production alert, renamed and re-graded. */
function productionAlert(fingerprint: string, alertname: string, severity: string): Alert {
  const body = JSON.parse(fixture("alertmanager-firing.json")) as { alerts: Alert[] };
  const alert = body.alerts[0]!;
  return { ...alert, fingerprint, labels: { ...alert.labels, alertname, severity } };
}

/** One Alertmanager notification carrying `alerts`, in that order. */
function notification(alerts: readonly Alert[]): string {
  const body = JSON.parse(fixture("alertmanager-firing.json")) as {
    commonLabels: Record<string, string>;
    alerts: Alert[];
  };
  delete body.commonLabels.alertname;
  delete body.commonLabels.severity;
  body.alerts = [...alerts];
  return JSON.stringify(body);
}

let bot: BotHarness | undefined;

afterEach(async () => {
  await bot?.stop();
  bot = undefined;
});

/** Index in the request log of the first call matching, or -1. */
function firstIndex(
  harness: BotHarness,
  method: string,
  path: RegExp,
  body?: (b: unknown) => boolean,
): number {
  return harness.fake.calls.findIndex(
    (c) => c.method === method && path.test(c.path) && (body === undefined || body(c.body)),
  );
}

describe("the critical path first", { timeout: 180_000 }, () => {
  it("a critical alert queued behind two drift alerts of its environment is handled first", async () => {
    // Arrange
    bot = await startBotHarness();
    const harness = bot;
    const critical = productionAlert("0000critical0000", "ModelErrorRateHigh", "critical");
    const branch = rollbackBranch("production", critical.fingerprint, critical.startsAt);

    // Act: the critical alert arrives last, in the same notification.
    const res = await harness.postAlert(
      notification([
        productionAlert("0000drift0one000", "ModelDriftDetected", "warning"),
        productionAlert("0000drift0two000", "ModelDriftDetected", "warning"),
        critical,
      ]),
    );
    await waitFor(() => harness.fake.pulls.find((p) => p.head === branch), { timeout: 90_000 });
    await waitFor(() => harness.fake.comments.find((c) => c.body.includes("drift (warning)")), {
      timeout: 90_000,
    });

    // Assert
    expect(res).toEqual({ status: 202, json: { accepted: 3, duplicates: 0 } });
    const rollbackAt = firstIndex(
      harness,
      "POST",
      /\/git\/refs$/,
      (b) => (b as { ref?: string }).ref === `refs/heads/${branch}`,
    );
    const firstDriftWrite = Math.min(
      ...[
        firstIndex(harness, "POST", /\/issues$/),
        firstIndex(harness, "POST", /\/issues\/\d+\/comments$/),
      ].filter((i) => i >= 0),
    );
    expect(rollbackAt).toBeGreaterThanOrEqual(0);
    expect(rollbackAt).toBeLessThan(firstDriftWrite);
  });

  it("the rollback PR is opened and set to merge before the decision log is written", async () => {
    // Arrange: the engine keeps its log on the repository's state branch.
    bot = await startBotHarness({ policy: "engine", decisionLog: "repository" });
    const harness = bot;
    const critical = productionAlert("0000logorder0000", "ModelErrorRateHigh", "critical");
    const branch = rollbackBranch("production", critical.fingerprint, critical.startsAt);

    // Act
    expect((await harness.postAlert(notification([critical]))).status).toBe(202);
    await waitFor(async () => Object.keys(await harness.readStateLog()).length > 0 || undefined, {
      timeout: 90_000,
    });

    // Assert
    const pullAt = firstIndex(harness, "POST", /\/pulls$/, (b) => (b as { head?: string }).head === branch);
    const mergeAt = firstIndex(harness, "POST", /^\/api\/graphql$|\/graphql$/);
    const stateWrites = [
      firstIndex(harness, "POST", /\/git\/(trees|commits)$/),
      firstIndex(
        harness,
        "POST",
        /\/git\/refs$/,
        (b) => (b as { ref?: string }).ref === `refs/heads/${STATE_BRANCH}`,
      ),
      firstIndex(harness, "PUT", /\/contents\/decisions\//),
    ].filter((i) => i >= 0);
    expect(pullAt).toBeGreaterThanOrEqual(0);
    expect(mergeAt).toBeGreaterThan(pullAt);
    expect(stateWrites.length).toBeGreaterThan(0);
    expect(Math.min(...stateWrites)).toBeGreaterThan(mergeAt);
  });

  it("with the default write spacing, the rollback's writes go ahead of an earlier alert's queued bookkeeping", async () => {
    // Arrange: the documented defaults (writes spaced, engine, log on the state branch).
    bot = await startBotHarness({ documentedDefaults: true });
    const harness = bot;
    const drift = productionAlert("0000earlydrift00", "ModelDriftDetected", "warning");
    const critical = productionAlert("0000laterabort00", "ModelErrorRateHigh", "critical");
    const branch = rollbackBranch("production", critical.fingerprint, critical.startsAt);

    // Act: the drift alert arrives first, so its bookkeeping writes are queued
    // (one a second) when the rollback starts writing.
    expect((await harness.postAlert(notification([drift]))).status).toBe(202);
    await waitFor(() => harness.fake.calls.find((c) => c.method !== "GET"), { timeout: 60_000 });
    expect((await harness.postAlert(notification([critical]))).status).toBe(202);
    await waitFor(() => harness.fake.pulls.find((p) => p.head === branch)?.merged, { timeout: 90_000 });
    // The incident's own decision-log line is bookkeeping: written after the merge.
    await waitFor(async () => Object.keys(await harness.readStateLog()).length > 0 || undefined, {
      timeout: 90_000,
    });

    // Assert: from the rollback branch to its merge, nothing else was written.
    const writes = harness.fake.calls.filter((c) => c.method !== "GET");
    const branchAt = writes.findIndex(
      (c) => /\/git\/refs$/.test(c.path) && (c.body as { ref?: string }).ref === `refs/heads/${branch}`,
    );
    const mergeAt = writes.findIndex((c, i) => i > branchAt && /graphql$|\/merge$/.test(c.path));
    expect(branchAt).toBeGreaterThan(0);
    expect(mergeAt).toBeGreaterThan(branchAt);
    const shape = (c: (typeof writes)[number]) =>
      `${c.method} ${c.path.replace(/^\/repos\/[^/]+\/[^/]+/, "").replace(/\?.*/, "")}`;
    expect(writes.slice(branchAt, mergeAt).map(shape)).toEqual([
      "POST /git/refs",
      "PUT /contents/environments/production.yaml",
      "POST /pulls",
    ]);
    // The drift alert's bookkeeping had begun before and went on after the merge.
    expect(
      writes
        .slice(mergeAt + 1)
        .some((c) => /^(POST \/git\/(trees|commits)|PUT \/contents\/decisions\/)/.test(shape(c))),
    ).toBe(true);
  });
});
