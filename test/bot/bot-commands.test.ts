/**
 * The bot as a real process against the fake GitHub: every comment command,
 * authorization refusals, webhook signatures, retries and the auto-merge
 * fallback. Merged PRs really change `main` of a git repository.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliverWebhook, signWebhook } from "../helpers/fake-github.js";
import { issueCommentCreated, pullRequestClosed } from "../helpers/fake-github-webhooks.js";
import {
  addActionReport,
  D,
  lastBotReply,
  PRODUCTION_V1,
  QA,
  ref,
  STAGING,
  startBotHarness,
  TARGET,
  WEBHOOK_SECRET,
  type BotHarness,
} from "./bot-harness.js";

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

describe("/deploy", () => {
  it("from a writer opens a deploy PR whose merge changes staging.yaml exactly, comments kept", async () => {
    // Arrange: a PR with the Action's report naming the model it pushed to the registry.
    const pr = await bot.fake.addPull({ title: "Train v1", head: "feature/train" });
    addActionReport(bot, pr.number, { auc: 0.91 });
    const digest = bot.registeredRef.split("@sha256:")[1]!;
    const before = bot.fake.pulls.length;

    // Act
    const commentId = await bot.comment({ issue: pr.number, body: "  /DEPLOY   Canary ", user: "writer" });

    // Assert
    expect(bot.fake.reactions).toContainEqual({ comment: commentId, content: "eyes" });
    const opened = bot.fake.pulls[before];
    expect(opened?.head).toBe(`meta-controller/deploy/staging/${digest.slice(0, 12)}`);
    expect(opened?.labels).toEqual(["meta-controller", "meta-controller:deploy"]);
    expect(opened?.body).toContain("auc | 0.91");
    expect(opened?.body).toContain("passed");
    expect(opened?.merged).toBe(true);
    expect(opened?.autoMerge).toBe("SQUASH");
    const expected = STAGING.replace("candidate: null", `candidate: ${bot.registeredRef}`);
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

describe("refusals", () => {
  it("refuses commands on a PR from a fork", async () => {
    const pr = await bot.fake.addPull({ title: "From a fork", head: "patch-1", headRepo: "mallory/models" });
    const before = bot.fake.pulls.length;

    await bot.comment({ issue: pr.number, body: `/deploy canary ${ref("v4", D.v4)}`, user: "writer" });

    expect(bot.fake.pulls.length).toBe(before);
    expect(lastReply(pr.number)).toContain("refused on pull requests from forks (`mallory/models`)");
  });

  it("ignores commands from bots: no reaction, no reply", async () => {
    const pr = await bot.fake.addPull({ title: "Bot talk", head: "feature/bot" });

    const commentId = await bot.comment({
      issue: pr.number,
      body: "/rollback production",
      user: "ci[bot]",
      userType: "Bot",
    });

    expect(bot.fake.reactions.map((r) => r.comment)).not.toContain(commentId);
    expect(lastReply(pr.number)).toBe("");
  });

  it("rejects a webhook with a bad signature before any GitHub call", async () => {
    const calls = bot.fake.calls.length;
    const payload = issueCommentCreated(TARGET, {
      issue: 1,
      body: "/rollback production",
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
    expect(bot.fake.calls.length).toBe(calls);
  });

  it("never deploys a quarantined digest", async () => {
    const pr = await bot.fake.addPull({ title: "Bad model", head: "feature/bad" });
    const before = bot.fake.pulls.length;

    await bot.comment({
      issue: pr.number,
      body: `/deploy canary ${ref("v9", D.bad)} to staging`,
      user: "writer",
    });

    expect(bot.fake.pulls.length).toBe(before);
    expect(lastReply(pr.number)).toContain(`\`${D.bad}\` is quarantined in \`staging\``);
  });

  it.each([
    { user: "writer", body: `/deploy canary ${ref("v4", D.v4)} to qa`, reply: "has a rollout in progress" },
    {
      user: "writer",
      body: `/deploy canary ${ref("v4", D.v4)} to qa --force`,
      reply: "`--force` needs `admin` permission",
    },
  ])("refuses a deploy over a rollout in progress: $body by $user", async ({ user, body, reply }) => {
    const pr = await bot.fake.addPull({
      title: `Force ${user}`,
      head: `feature/force-${bot.fake.pulls.length}`,
    });
    const before = bot.fake.pulls.length;

    await bot.comment({ issue: pr.number, body, user });

    expect(bot.fake.pulls.length).toBe(before);
    expect(lastReply(pr.number)).toContain(reply);
  });
});

describe("every command", () => {
  it("/deploy --force by an admin replaces the candidate in progress", async () => {
    const pr = await bot.fake.addPull({ title: "Force", head: "feature/force-admin" });

    await bot.comment({ issue: pr.number, body: `/deploy ${ref("v4", D.v4)} to qa --force`, user: "boss" });

    expect(await bot.fake.readFile("main", "environments/qa.yaml")).toBe(
      QA.replace(`candidate: ${ref("v3", D.v3)}`, `candidate: ${ref("v4", D.v4)}`),
    );
  });

  it("/promote makes the candidate stable", async () => {
    await bot.comment({ issue: 1, body: "/promote qa", user: "writer" });

    const qa = await bot.fake.readFile("main", "environments/qa.yaml");
    expect(qa).toContain(`stable: ${ref("v4", D.v4)}\ncandidate: null # rolling out`);
    expect(lastReply(1)).toMatch(/Promotion in \*\*qa\*\*: opened #\d+/);
  });

  it("/abort drops and quarantines the candidate", async () => {
    // The first test left the registered model as the staging candidate.
    await bot.comment({ issue: 1, body: "/ABORT  staging", user: "writer" });

    const staging = await bot.fake.readFile("main", "environments/staging.yaml");
    const digest = bot.registeredRef.split("@")[1]!;
    expect(staging).toBe(STAGING.replace(`quarantine: [${D.bad}]`, `quarantine: [${D.bad}, ${digest}]`));
  });

  it("/rollback puts the last good stable back from the file's history", async () => {
    await bot.comment({ issue: 1, body: "/rollback to production", user: "writer" });

    const production = await bot.fake.readFile("main", "environments/production.yaml");
    expect(production).toBe(PRODUCTION_V1.replace("quarantine: []", `quarantine: [${D.v2}]`));
    const rollback = bot.fake.pulls.find(
      (p) => p.head === `meta-controller/rollback/production/${"2".repeat(12)}`,
    );
    expect(rollback?.merged).toBe(true);
    expect(rollback?.autoMerge).toBe("SQUASH");
  });

  it("/status shows what serves", async () => {
    await bot.comment({ issue: 1, body: "/status production", user: "reader" });

    expect(lastReply(1)).toContain(`| stable | \`${ref("v1", D.v1)}\` |`);
    expect(lastReply(1)).toContain(`| quarantined | \`${D.v2}\` |`);
  });

  it("/diagnose says when nothing was reported", async () => {
    await bot.comment({ issue: 1, body: "/diagnose staging", user: "reader" });

    expect(lastReply(1)).toBe("No incident has been reported for **staging** since the bot started.");
  });

  it("/retrain dispatches the training workflow with the pipeline", async () => {
    await bot.comment({ issue: 1, body: "/retrain churn", user: "writer" });

    expect(bot.fake.dispatches).toContainEqual({
      workflow: "train.yml",
      ref: "main",
      inputs: { pipeline: "churn" },
    });
  });

  it.each([
    { body: "/help", expected: "| `/rollback [env]` |" },
    { body: "/frobnicate now", expected: "I do not know `/frobnicate`." },
    {
      body: "/deploy Sideways!",
      expected: "`/deploy`: `Sideways!` is neither a strategy nor a model reference.",
    },
  ])("$body gets the help text", async ({ body, expected }) => {
    await bot.comment({ issue: 1, body, user: "reader" });

    expect(lastReply(1)).toContain(expected);
    expect(lastReply(1)).toContain("**Meta-Controller commands**");
  });

  it("records the merge of a bot PR as a successful deployment", async () => {
    const pr = bot.fake.pulls.find((p) => p.head.startsWith("meta-controller/deploy/staging/"));
    expect(pr).toBeDefined();

    const status = await deliverWebhook(
      `${bot.botUrl}/api/github/webhooks`,
      WEBHOOK_SECRET,
      "pull_request",
      pullRequestClosed(TARGET, { number: pr!.number, head: pr!.head, merged: true }),
    );

    expect(status).toBe(200);
    expect(bot.fake.deployments.find((d) => d.ref === pr!.head)?.statuses).toEqual([
      "in_progress",
      "success",
    ]);
  });
});

describe("GitHub trouble", () => {
  it("retries 502 and 429 answers", async () => {
    bot.fake.addFailures([
      { method: "GET", path: /collaborators\/reader\/permission$/, status: 502, times: 2 },
      {
        method: "POST",
        path: /issues\/1\/comments$/,
        status: 429,
        times: 1,
        headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.floor(Date.now() / 1000)) },
      },
    ]);

    await bot.comment({ issue: 1, body: "/status staging", user: "reader" });

    const permission = bot.fake.callsTo("GET", /collaborators\/reader\/permission$/).slice(-3);
    expect(permission.map((c) => c.status)).toEqual([502, 502, 200]);
    const replies = bot.fake.callsTo("POST", /issues\/1\/comments$/).slice(-2);
    expect(replies.map((c) => c.status)).toEqual([429, 201]);
    expect(lastReply(1)).toContain("**staging**");
  });

  it("merges directly when auto-merge meets a PR in clean status", async () => {
    bot.fake.setAutoMerge("clean_status");

    await bot.comment({ issue: 1, body: `/deploy canary ${ref("v3", D.v3)}`, user: "writer" });

    const pr = bot.fake.pulls.find((p) => p.head === `meta-controller/deploy/staging/${"3".repeat(12)}`);
    expect(pr?.merged).toBe(true);
    expect(pr?.autoMerge).toBeNull();
    expect(lastReply(1)).toContain("It is merged.");
    expect(await bot.fake.readFile("main", "environments/staging.yaml")).toContain(
      `candidate: ${ref("v3", D.v3)}`,
    );
  });

  it("leaves a deploy for review when auto-merge is off in the repository", async () => {
    bot.fake.setAutoMerge("not_allowed");

    await bot.comment({ issue: 1, body: `/deploy simple ${ref("v3", D.v3)} to qa`, user: "writer" });

    const pr = bot.fake.pulls.find((p) => p.head === `meta-controller/deploy/qa/${"3".repeat(12)}`);
    expect(pr?.state).toBe("open");
    expect(lastReply(1)).toContain("auto-merge is switched off in this repository");
    expect(await bot.fake.readFile("main", "environments/qa.yaml")).toContain(`stable: ${ref("v4", D.v4)}`);
  });
});
