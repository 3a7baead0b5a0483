/**
 * `.github/meta-controller.yml` found as every Probot app finds its
 * settings (`context.config()`): `_extends` pulls in the organisation's
 * `.github` repository, a repository without its own file takes the
 * organisation's, and a bad value in an inherited file is reported at that
 * file's line and column. Real bot process, fake GitHub with an
 * organisation `.github` repository.
 */
import { afterEach, describe, expect, it } from "vitest";
import { commitFile, git } from "../helpers/fake-github-git.js";
import { addActionReport, lastBotReply, startBotHarness, type BotHarness } from "./bot-harness.js";

const ORG_SETTINGS = `# Organisation-wide defaults
default_environment: staging
labels: [org-models]
merge_method: squash
`;

let bot: BotHarness | undefined;

afterEach(async () => {
  await bot?.stop();
  bot = undefined;
});

/** Opens a PR carrying the Action's report, asks for `/deploy canary`, and returns the bot's answer. */
async function deployFromReport(harness: BotHarness, head: string) {
  const pr = await harness.fake.addPull({ title: "Train", head });
  addActionReport(harness, pr.number);
  const before = harness.fake.pulls.length;
  await harness.comment({ issue: pr.number, body: "/deploy canary", user: "writer" });
  return { opened: harness.fake.pulls[before], reply: lastBotReply(harness, pr.number) };
}

describe(".github/meta-controller.yml with Probot's inheritance", () => {
  it("merges the file _extends names under the repository's own values", async () => {
    // Arrange: the repository extends the organisation's file and sets its own merge method.
    bot = await startBotHarness({
      organizationFiles: { ".github/meta-controller.yml": ORG_SETTINGS },
      prepareRepository: async (dir) => {
        await commitFile(
          dir,
          "main",
          ".github/meta-controller.yml",
          "_extends: .github\nmerge_method: merge\n",
          "Inherit",
        );
      },
    });

    // Act
    const { opened } = await deployFromReport(bot, "feature/extends");

    // Assert: the organisation's labels, the repository's merge method.
    expect(opened?.labels).toEqual(["org-models", "meta-controller:deploy"]);
    expect(opened?.autoMerge).toBe("MERGE");
  });

  it("takes the organisation's file when the repository has none", async () => {
    // Arrange
    bot = await startBotHarness({
      organizationFiles: { ".github/meta-controller.yml": ORG_SETTINGS },
      prepareRepository: async (dir) => {
        await git(dir, ["rm", "-q", ".github/meta-controller.yml"]);
        await git(dir, ["commit", "-q", "-m", "No settings of its own"]);
      },
    });

    // Act
    const { opened } = await deployFromReport(bot, "feature/org-only");

    // Assert
    expect(opened?.labels).toEqual(["org-models", "meta-controller:deploy"]);
  });

  it("reports a bad inherited value at the organisation file's line and column, and changes nothing", async () => {
    // Arrange
    bot = await startBotHarness({
      organizationFiles: {
        ".github/meta-controller.yml": "labels: [org-models]\nmerge_method: fast-forward\n",
      },
      prepareRepository: async (dir) => {
        await commitFile(dir, "main", ".github/meta-controller.yml", "_extends: .github\n", "Inherit");
      },
    });
    const pullsBefore = bot.fake.pulls.length;

    // Act
    const { reply } = await deployFromReport(bot, "feature/bad-org");

    // Assert
    expect(reply).toMatch(/acme\/\.github:\.github\/meta-controller\.yml:2:15\b.*merge_method/s);
    expect(bot.fake.pulls.length).toBe(pullsBefore + 1);
  });
});
