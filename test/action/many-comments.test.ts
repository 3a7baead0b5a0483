/**
 * A pull request with 250 comments — past GitHub's 100 a page. The Action
 * (a child process on `@actions/github`'s Octokit) still keeps exactly one
 * report comment and edits it in place, and the bot's `/deploy` still
 * finds the model that report names: both read every page.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseReportMarkers } from "../../src/github/report-marker.js";
import { git } from "../helpers/fake-github-git.js";
import { startFakeGitHub, type FakeGitHub } from "../helpers/fake-github.js";
import { addActionReport, startBotHarness, type BotHarness } from "../bot/bot-harness.js";
import {
  createWorkspace,
  issueToken,
  pipelineYaml,
  pullRequestPayload,
  runAction,
} from "./action-harness.js";

const MANY = 250;

let fake: FakeGitHub | undefined;
let bot: BotHarness | undefined;

afterEach(async () => {
  await fake?.close();
  await bot?.stop();
  fake = undefined;
  bot = undefined;
});

/** Fills a PR's conversation with `n` comments from people, as a busy review would. */
function chatter(target: FakeGitHub, issue: number, n: number): void {
  for (let i = 0; i < n; i++) target.addComment(issue, `review note ${i + 1}`, i % 2 === 0 ? "alice" : "bob");
}

describe("a pull request with 250 comments", () => {
  it("keeps one Action report comment, edited in place on the second run", async () => {
    // Arrange: the report comment is written after the 250 others, so it lands on page 3.
    const workspace = await createWorkspace({
      "pipelines/churn.yaml": pipelineYaml({ name: "churn_small" }),
    });
    fake = await startFakeGitHub({ repoDir: workspace, commentAuthor: "github-actions[bot]" });
    const token = await issueToken(fake);
    const base = await git(workspace, ["rev-parse", "HEAD"]);
    const registry = await mkdtemp(join(tmpdir(), "mc-action-registry-"));
    const payload = pullRequestPayload(base);
    const pull = (payload.pull_request as { number: number }).number;
    chatter(fake, pull, MANY);
    const common = {
      workspace,
      token,
      apiUrl: fake.apiUrl,
      payload,
      inputs: { registry, "changed-only": "false" },
    };

    // Act
    const first = await runAction(common);
    const second = await runAction(common);

    // Assert
    expect([first.code, second.code]).toEqual([0, 0]);
    const reports = fake.comments.filter((c) => c.issue === pull && c.user === "github-actions[bot]");
    expect(reports).toHaveLength(1);
    expect(fake.comments.filter((c) => c.issue === pull)).toHaveLength(MANY + 1);
    expect(fake.callsTo("POST", /\/issues\/\d+\/comments$/)).toHaveLength(1);
    expect(fake.callsTo("PATCH", /\/issues\/comments\/\d+$/)).toHaveLength(1);
    expect(parseReportMarkers(reports[0]!.body)[0]?.ref).toBe(second.outputs["model-ref"]);
    // Each run read the list page by page (100 a page).
    expect(fake.callsTo("GET", /\/issues\/\d+\/comments\?.*page=3/).length).toBeGreaterThanOrEqual(2);
  }, 240_000);

  it("lets /deploy find the model the report names", async () => {
    // Arrange
    bot = await startBotHarness();
    const harness = bot;
    const pr = await harness.fake.addPull({ title: "Train v1", head: "feature/many" });
    chatter(harness.fake, pr.number, MANY);
    addActionReport(harness, pr.number);
    const before = harness.fake.pulls.length;

    // Act
    await harness.comment({ issue: pr.number, body: "/deploy canary", user: "writer" });

    // Assert
    const opened = harness.fake.pulls[before];
    const digest = harness.registeredRef.split("@sha256:")[1]!;
    expect(opened?.head).toBe(`meta-controller/deploy/staging/${digest.slice(0, 12)}`);
    expect(await harness.fake.readFile("main", "environments/staging.yaml")).toContain(
      `candidate: ${harness.registeredRef}`,
    );
  }, 120_000);
});
