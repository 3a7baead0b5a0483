/**
 * The decision log in the repository, end to end: the real bot process with
 * the decision engine and no local log receives signed alerts and the
 * outcome events a person produces (a 👎 on the rollback PR, a rollback PR
 * closed unmerged, `/undo`, an alert that resolves), commits every line to
 * the fake repository's `meta-controller/state` branch, says on the
 * tracking issue when the cooldown holds back a repeated incident, and the
 * real CLI's `policy evaluate` reads the committed shards back. Its numbers
 * are checked against a plain recomputation from the records here.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rollbackBranch } from "../../src/operations/incident-markers.js";
import { pullRequestClosed } from "../helpers/fake-github-webhooks.js";
import { deliverWebhook } from "../helpers/fake-github.js";
import { runCli, waitFor } from "../helpers/processes.js";
import { commitFile } from "../helpers/fake-github-git.js";
import {
  D,
  MODEL,
  QA,
  ref,
  signedAlertHeaders,
  startBotHarness,
  TARGET,
  WEBHOOK_SECRET,
  type BotHarness,
} from "./bot-harness.js";

interface AlertInput {
  readonly status: "firing" | "resolved";
  readonly environment: string;
  readonly fingerprint: string;
  readonly startsAt: string;
  readonly severity: "critical" | "warning" | "info";
  readonly alertname: string;
  readonly digest?: string;
}

/** An Alertmanager v4 notification with one alert. */
function alertmanager(a: AlertInput): string {
  const labels: Record<string, string> = {
    alertname: a.alertname,
    environment: a.environment,
    model: MODEL,
    repository: `${TARGET.owner}/${TARGET.repo}`,
    severity: a.severity,
    ...(a.digest === undefined ? {} : { digest: a.digest }),
  };
  return JSON.stringify({
    version: "4",
    groupKey: `{}:{alertname="${a.alertname}", environment="${a.environment}"}`,
    truncatedAlerts: 0,
    status: a.status,
    receiver: "meta-controller",
    groupLabels: { alertname: a.alertname, environment: a.environment },
    commonLabels: labels,
    commonAnnotations: { summary: `${a.alertname} in ${a.environment}` },
    externalURL: "http://alertmanager.example:9093",
    alerts: [
      {
        status: a.status,
        labels,
        annotations: { summary: `${a.alertname} in ${a.environment}`, value: "0.09", threshold: "0.02" },
        startsAt: a.startsAt,
        endsAt: a.status === "resolved" ? new Date().toISOString() : "0001-01-01T00:00:00Z",
        generatorURL: "http://prometheus.example:9090/graph",
        fingerprint: a.fingerprint,
      },
    ],
  });
}

interface PlainRecord {
  type: "decision" | "outcome";
  at: string;
  fingerprint: string;
  id?: string;
  decision_id?: string;
  action?: string;
  baseline_action?: string;
  propensity?: number;
  reason_code?: string;
  event?: string;
  detail?: string;
}

function parseLines(shards: Record<string, string>): PlainRecord[] {
  return Object.keys(shards)
    .sort()
    .flatMap((name) => shards[name]!.split("\n").filter(Boolean))
    .map((line) => JSON.parse(line) as PlainRecord);
}

// The reward rules as the issue states them, with the documented defaults:
// +1 when resolved within T = 60 min and not fired again, minus the action's
// cost, and −5 more when a person reverts the action.
const COST: Readonly<Record<string, number>> = {
  ignore: 0,
  notify: 0.05,
  abort_canary: 0.1,
  rollback: 0.2,
  retrain: 0.3,
};
const T = 60 * 60_000;
const REVERT_PENALTY = 5;

/** Each decision's reward once T has passed, computed straight from the lines. */
function plainRewards(records: readonly PlainRecord[]): { record: PlainRecord; reward: number }[] {
  const decisions = records.filter((r) => r.type === "decision");
  const ofOutcome = (o: PlainRecord): PlainRecord | undefined => {
    if (o.decision_id !== undefined) return decisions.find((d) => d.id === o.decision_id);
    const before = decisions.filter(
      (d) => d.fingerprint === o.fingerprint && Date.parse(d.at) <= Date.parse(o.at),
    );
    return before[before.length - 1];
  };
  return decisions.map((d) => {
    const at = Date.parse(d.at);
    const cost = COST[d.action!]!;
    const outcomes = records.filter((r) => r.type === "outcome" && ofOutcome(r) === d);
    const refired = decisions.some(
      (e) =>
        e !== d && e.fingerprint === d.fingerprint && Date.parse(e.at) > at && Date.parse(e.at) <= at + T,
    );
    const resolved = outcomes.some((o) => o.event === "resolved" && Date.parse(o.at) <= at + T);
    let reward: number;
    if (outcomes.some((o) => o.event === "human_revert")) reward = -cost - REVERT_PENALTY;
    else if (refired) reward = -cost;
    else reward = resolved ? 1 - cost : -cost;
    return { record: d, reward };
  });
}

/**
 * Lines committed to the log, read from the successful commits' contents
 * (the longest content per shard): records appended together share one
 * commit, so commits are not lines.
 */
function committedLines(bot: BotHarness): number {
  const longest = new Map<string, number>();
  for (const call of bot.fake.callsTo("PUT", /\/contents\/decisions\//)) {
    if (call.status !== 200 && call.status !== 201) continue;
    const text = Buffer.from((call.body as { content: string }).content, "base64").toString("utf8");
    const lines = text.split("\n").filter((line) => line.trim() !== "").length;
    const shard = call.path.replace(/\?.*/, "");
    longest.set(shard, Math.max(longest.get(shard) ?? 0, lines));
  }
  return [...longest.values()].reduce((a, b) => a + b, 0);
}

const hmac = (body: string) => signedAlertHeaders(body);

describe("the decision log on the state branch, written by the running bot", () => {
  let bot: BotHarness;

  beforeAll(async () => {
    bot = await startBotHarness({ policy: "engine", decisionLog: "repository" });
  });

  afterAll(async () => {
    await bot.stop();
  });

  async function send(input: AlertInput): Promise<void> {
    const body = alertmanager(input);
    const res = await bot.postAlert(body, hmac(body));
    expect(res.status).toBe(202);
  }

  // Polls the fake's record of commits (cheap) and reads the branch (git) once they are there.
  const logged = async (decisions: number, outcomes: number): Promise<PlainRecord[]> => {
    await waitFor(() => committedLines(bot) >= decisions + outcomes, { timeout: 60_000 });
    return parseLines(await bot.readStateLog());
  };

  it("records decisions and every kind of outcome, and policy evaluate agrees with a plain recomputation", async () => {
    // Arrange + Act, step by step as an on-call week would go.
    // 1. A critical production alert: rolled back at once; a maintainer gives the PR a 👎; the alert resolves.
    const p1 = { environment: "production", fingerprint: "fp-production", severity: "critical" } as const;
    const p1Start = "2026-11-28T02:00:00.000Z";
    await send({ ...p1, status: "firing", startsAt: p1Start, alertname: "ModelErrorRateHigh" });
    const p1Branch = rollbackBranch("production", p1.fingerprint, p1Start);
    const p1Pr = await waitFor(() => bot.fake.pulls.find((p) => p.head === p1Branch && p.merged), {
      timeout: 60_000,
    });
    bot.fake.issueReactions.push({ issue: p1Pr.number, content: "-1", user: "maintainer" });
    await send({ ...p1, status: "resolved", startsAt: p1Start, alertname: "ModelErrorRateHigh" });
    await logged(1, 2);

    // 2. It fires again minutes later: the cooldown holds the rollback back, and the tracking issue says so.
    await send({
      ...p1,
      status: "firing",
      startsAt: "2026-11-28T02:10:00.000Z",
      alertname: "ModelErrorRateHigh",
    });
    await logged(2, 2);

    // 3. A failing canary in qa: the abort PR waits for checks, and a person closes it unmerged.
    bot.fake.setAutoMerge("queue");
    const qaStart = "2026-11-28T02:20:00.000Z";
    await send({
      status: "firing",
      environment: "qa",
      fingerprint: "fp-qa",
      severity: "critical",
      startsAt: qaStart,
      alertname: "ModelErrorRateHigh",
    });
    const qaPr = await waitFor(
      () => bot.fake.pulls.find((p) => p.head === rollbackBranch("qa", "fp-qa", qaStart)),
      { timeout: 60_000 },
    );
    qaPr.state = "closed";
    // The qa decision's own line follows its PR (bookkeeping after the action): count from after it.
    await logged(3, 2);
    const linesBefore = committedLines(bot);
    // Copies of the marker prove nothing: a fork PR with the bot's branch name and marker closed by an
    // outsider, a PR a person opened, and the bot's PR closed by someone who may not roll back.
    const forged = [
      { headRepo: "outsider/models", closer: { login: "outsider", type: "User" } },
      { author: { login: "outsider", type: "User" }, closer: { login: "writer", type: "User" } },
      { closer: { login: "reader", type: "User" } },
    ] as const;
    for (const variant of forged) {
      const payload = pullRequestClosed(TARGET, {
        number: qaPr.number,
        head: qaPr.head,
        merged: false,
        body: qaPr.body,
        ...variant,
      });
      expect(
        await deliverWebhook(`${bot.botUrl}/api/github/webhooks`, WEBHOOK_SECRET, "pull_request", payload),
      ).toBe(200);
    }
    expect(committedLines(bot)).toBe(linesBefore);
    const closed = pullRequestClosed(TARGET, {
      number: qaPr.number,
      head: qaPr.head,
      merged: false,
      body: qaPr.body,
      closer: { login: "writer", type: "User" },
    });
    expect(
      await deliverWebhook(`${bot.botUrl}/api/github/webhooks`, WEBHOOK_SECRET, "pull_request", closed),
    ).toBe(200);
    await logged(3, 3);

    // 4. A canary failing in another environment: aborted, and a writer answers `/undo` on the PR.
    await commitFile(
      bot.repoDir,
      "main",
      "environments/edge.yaml",
      QA.replace("name: qa", "name: edge").replace(ref("v3", D.v3), ref("v4", D.v4)),
      "Add edge",
    );
    const edgeStart = "2026-11-28T02:30:00.000Z";
    await send({
      status: "firing",
      environment: "edge",
      fingerprint: "fp-edge",
      severity: "critical",
      startsAt: edgeStart,
      alertname: "ModelErrorRateHigh",
    });
    const edgePr = await waitFor(
      () => bot.fake.pulls.find((p) => p.head === rollbackBranch("edge", "fp-edge", edgeStart)),
      { timeout: 60_000 },
    );
    await bot.comment({ issue: edgePr.number, body: "/undo", user: "writer" });
    await logged(4, 4);

    // 5. A latency warning in staging: people are told, and it resolves.
    const warning = {
      environment: "staging",
      fingerprint: "fp-warning",
      severity: "warning",
      startsAt: "2026-11-28T02:40:00.000Z",
      alertname: "ModelLatencyHigh",
    } as const;
    await send({ ...warning, status: "firing" });
    await logged(5, 4);
    await send({ ...warning, status: "resolved" });
    const records = await logged(5, 5);

    // Assert: what the bot did and logged.
    const undoReply = bot.fake.comments.filter(
      (c) => c.issue === edgePr.number && c.user === "meta-controller[bot]",
    );
    expect(undoReply.map((c) => c.body)).toEqual([expect.stringMatching(/^Closed #\d+ unmerged and logged/)]);
    expect(edgePr.state).toBe("closed");
    expect(
      records.map((r) =>
        r.type === "decision"
          ? [r.fingerprint, r.action, r.reason_code]
          : [r.fingerprint, r.event, r.detail ?? null],
      ),
    ).toEqual([
      ["fp-production", "rollback", "critical_after_deploy"],
      ["fp-production", "human_revert", "thumbs_down"],
      ["fp-production", "resolved", null],
      ["fp-production", "notify", "cooldown"],
      ["fp-qa", "abort_canary", "canary_failing"],
      ["fp-qa", "human_revert", "rollback_pr_closed_unmerged"],
      ["fp-edge", "abort_canary", "canary_failing"],
      ["fp-edge", "human_revert", "undo_command"],
      ["fp-warning", "notify", "warning_notify"],
      ["fp-warning", "resolved", null],
    ]);

    // The cooldown's notice: one comment on the tracking issue, naming the guardrail and when it lifts.
    const tracking = bot.fake.issues.find((i) => i.title === "Meta-Controller incidents: production");
    const held = bot.fake.comments.filter((c) => c.issue === tracking?.number && /Held back/.test(c.body));
    const liftsAt = new Date(Date.parse(records[0]!.at) + 15 * 60_000).toISOString();
    expect(held).toHaveLength(1);
    expect(held[0]!.body).toContain("**Held back by the cooldown guardrail (`cooldown`)** in `production`");
    expect(held[0]!.body).toContain(`It lifts at ${liftsAt}.`);
    expect(
      bot.fake.pulls.filter((p) => p.head.startsWith("meta-controller/rollback/production/")),
    ).toHaveLength(1);

    // The rewards, recomputed plainly from the records, are the ones the scenario calls for.
    const rewards = plainRewards(records);
    expect(rewards.map((r) => [r.record.fingerprint, r.reward])).toEqual([
      ["fp-production", expect.closeTo(-5.2, 9)],
      ["fp-production", expect.closeTo(-0.05, 9)],
      ["fp-qa", expect.closeTo(-5.1, 9)],
      ["fp-edge", expect.closeTo(-5.1, 9)],
      ["fp-warning", expect.closeTo(0.95, 9)],
    ]);

    // Act: the committed shards, copied to a folder, through the real CLI.
    const dir = await mkdtemp(join(tmpdir(), "mc-state-log-"));
    try {
      for (const [name, text] of Object.entries(await bot.readStateLog()))
        await writeFile(join(dir, name), text);
      const now = new Date(Math.max(...records.map((r) => Date.parse(r.at))) + 2 * T).toISOString();
      const run = await runCli(["policy", "evaluate", "--log", dir, "--now", now, "--json"]);

      // Assert: IPS of the baseline = mean of 1[action = baseline] · reward / propensity.
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout) as {
        decisions: number;
        settled: number;
        pending: number;
        unmatched_outcomes: number;
        logged_value: number;
        baseline: { ips: { value: number }; snips: number };
      };
      const ipsTerms = rewards.map(({ record, reward }) =>
        record.action === record.baseline_action ? reward / record.propensity! : 0,
      );
      const ips = ipsTerms.reduce((a, b) => a + b, 0) / ipsTerms.length;
      const loggedValue = rewards.reduce((a, r) => a + r.reward, 0) / rewards.length;
      expect([report.decisions, report.settled, report.pending, report.unmatched_outcomes]).toEqual([
        5, 5, 0, 0,
      ]);
      expect(report.baseline.ips.value).toBeCloseTo(ips, 5);
      expect(report.logged_value).toBeCloseTo(loggedValue, 5);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 240_000);
});

describe("two bot processes deciding at once", () => {
  let bot: BotHarness;

  beforeAll(async () => {
    bot = await startBotHarness({ policy: "engine", decisionLog: "repository", replicas: 2 });
  });

  afterAll(async () => {
    await bot.stop();
  });

  it("lose no line of the shared log: every decision and outcome lands once, races lost and retried", async () => {
    // Arrange: critical alerts in two environments, on both replicas, all at once; the fake holds the
    // first commits to the log until one from each replica waits, so both wrote on the same state.
    const inputs = ["staging", "production"].flatMap((environment) =>
      [0, 1].map((replica) => ({
        replica,
        alert: {
          environment,
          fingerprint: `fp-${environment}-${replica}`,
          severity: "critical",
          startsAt: "2026-11-28T03:00:00.000Z",
          alertname: "ModelErrorRateHigh",
        } as const,
      })),
    );
    bot.fake.gate({ method: "PUT", path: /\/contents\/decisions\//, count: 2, timeoutMs: 20_000 });

    // Act
    await Promise.all(
      inputs.map(async ({ replica, alert }) => {
        const body = alertmanager({ ...alert, status: "firing" });
        expect((await bot.postAlert(body, hmac(body), replica)).status).toBe(202);
      }),
    );
    await waitFor(() => committedLines(bot) >= inputs.length, { timeout: 60_000 });
    const decided = parseLines(await bot.readStateLog());
    await Promise.all(
      inputs.map(async ({ replica, alert }) => {
        const body = alertmanager({ ...alert, status: "resolved" });
        expect((await bot.postAlert(body, hmac(body), 1 - replica)).status).toBe(202);
      }),
    );
    await waitFor(() => committedLines(bot) >= inputs.length * 2, { timeout: 60_000 });
    const records = parseLines(await bot.readStateLog());

    // Assert
    const expected = inputs.map((i) => i.alert.fingerprint).sort();
    const of = (type: string) =>
      records
        .filter((r) => r.type === type)
        .map((r) => r.fingerprint)
        .sort();
    expect(decided.filter((r) => r.type === "decision")).toHaveLength(inputs.length);
    expect(of("decision")).toEqual(expected);
    expect(of("outcome")).toEqual(expected);
    // Every commit that lost a race was retried, and none succeeded twice.
    const puts = bot.fake.callsTo("PUT", /\/contents\/decisions\//);
    const won = puts.filter((c) => c.status === 200 || c.status === 201);
    const lost = puts.filter((c) => c.status === 409 || c.status === 422);
    // Records a replica appends while its log is held or busy share a commit, so at most one per record.
    expect(won.length).toBeGreaterThanOrEqual(2);
    expect(won.length).toBeLessThanOrEqual(inputs.length * 2);
    expect(lost.length).toBeGreaterThan(0);
    expect(puts).toHaveLength(won.length + lost.length);
  }, 180_000);
});
