/**
 * Sticky comments are found by their marker only in comments of their own
 * author: a reader who pastes the marker into a comment of theirs neither
 * gets it overwritten with the Action's report (the Action run as the
 * runner runs it) nor with the bot's diagnosis (the bot as a process).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { parseReportMarkers } from "../../src/github/report-marker.js";
import { git } from "../helpers/fake-github-git.js";
import { startFakeGitHub, type FakeGitHub } from "../helpers/fake-github.js";
import { waitFor } from "../helpers/processes.js";
import {
  createWorkspace,
  issueToken,
  pipelineYaml,
  pullRequestPayload,
  runAction,
} from "../action/action-harness.js";
import { ALERT_TOKEN, startBotHarness, type BotHarness } from "./bot-harness.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/bot/${name}`, import.meta.url), "utf8");

let fake: FakeGitHub | undefined;
let bot: BotHarness | undefined;
let registry: string | undefined;

afterAll(async () => {
  await fake?.close();
  await bot?.stop();
  if (registry) await rm(registry, { recursive: true, force: true });
});

describe("a reader's comment carrying a sticky marker", () => {
  it("is not overwritten by the Action's report", async () => {
    // Arrange: a reader planted the marker of the pipeline's report comment.
    const workspace = await createWorkspace({
      "pipelines/churn.yaml": pipelineYaml({ name: "churn_small" }),
    });
    fake = await startFakeGitHub({ repoDir: workspace, commentAuthor: "github-actions[bot]" });
    const token = await issueToken(fake);
    const base = await git(workspace, ["rev-parse", "HEAD"]);
    registry = await mkdtemp(join(tmpdir(), "mc-sticky-registry-"));
    const payload = pullRequestPayload(base);
    const pull = (payload.pull_request as { number: number }).number;
    const planted = "<!-- meta-controller:sticky report%20churn_small -->\nreader's text";
    const readers = fake.addComment(pull, planted, "reader");

    // Act
    const run = await runAction({
      workspace,
      token,
      apiUrl: fake.apiUrl,
      payload,
      inputs: { registry, "changed-only": "false" },
    });

    // Assert: the reader's comment is untouched; the report is the Action's own comment.
    expect(run.code).toBe(0);
    expect(readers.body).toBe(planted);
    expect(fake.callsTo("PATCH", /\/issues\/comments\/\d+$/)).toEqual([]);
    const own = fake.comments.filter((c) => c.user === "github-actions[bot]");
    expect(own).toHaveLength(1);
    expect(parseReportMarkers(own[0]!.body)[0]?.pipeline).toBe("churn_small");
  }, 240_000);

  it("is not overwritten by the bot's diagnosis", async () => {
    // Arrange: the staging tracking issue, where a reader pasted the diagnosis marker.
    bot = await startBotHarness();
    bot.fake.issues.push({
      number: 900,
      title: "Meta-Controller incidents: staging",
      body: "",
      labels: ["meta-controller"],
      state: "open",
    });
    const planted = "<!-- meta-controller:sticky diagnosis%3Astaging -->\nreader's text";
    const readers = bot.fake.addComment(900, planted, "reader");

    // Act: a drift alert in staging gets a diagnosis on the tracking issue.
    const res = await bot.postAlert(fixture("grafana-firing.json"), {
      authorization: `Bearer ${ALERT_TOKEN}`,
    });

    // Assert
    expect(res.status).toBe(202);
    const diagnosis = await waitFor(() =>
      bot!.fake.comments.find((c) => c.issue === 900 && c.user === "meta-controller[bot]"),
    );
    expect(diagnosis.body).toContain("drift (warning)");
    expect(readers.body).toBe(planted);
  }, 120_000);
});
