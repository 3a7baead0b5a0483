/**
 * `meta-controller deploy | rollback | promote | abort | status` on a local
 * checkout, run as a user runs them (a child process), on a real Git
 * repository in a temp folder: the same use cases the bot calls, editing
 * `environments/*.yaml` byte for byte outside the changed nodes.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createGitRepo, git } from "../helpers/fake-github-git.js";
import { runCli } from "../helpers/processes.js";

const D = (c: string) => `sha256:${c.repeat(64)}`;
const V1 = `customer_churn_prediction:v1@${D("1")}`;
const V2 = `customer_churn_prediction:v2@${D("2")}`;
const V3 = `customer_churn_prediction:v3@${D("3")}`;

/** An environment file with comments and flow style that edits must keep. */
function staging(stable: string | null, candidate: string | null = null, quarantine = "[]"): string {
  return `# Staging: canary rollouts.
name: staging
model: customer_churn_prediction
stable: ${stable ?? "null"} # the rollback target
candidate: ${candidate ?? "null"}
strategy:
  type: canary
  steps: [10, 25, 50, 100] # keep this comment
checks:
  error_rate: { max: 0.02 }
quarantine: ${quarantine}
`;
}

let repo: string;

beforeEach(async () => {
  repo = await createGitRepo({ "environments/staging.yaml": staging(V1) });
});

afterEach(async () => {
  await rm(repo, { recursive: true, force: true });
});

const read = () => readFile(join(repo, "environments/staging.yaml"), "utf8");
/** A committer for `--commit`: the machine may have no Git identity configured. */
const IDENTITY = {
  GIT_AUTHOR_NAME: "Ops",
  GIT_AUTHOR_EMAIL: "ops@example.com",
  GIT_COMMITTER_NAME: "Ops",
  GIT_COMMITTER_EMAIL: "ops@example.com",
};
const cli = (args: readonly string[]) => runCli(["--root", repo, ...args], { cwd: repo, env: IDENTITY });

describe("deploy, promote, rollback and abort on a local checkout", () => {
  it("deploys a candidate, keeping every other byte, and commits only that file with --commit", async () => {
    // Arrange: an unrelated staged change must stay out of the commit
    await writeFile(join(repo, "notes.txt"), "unrelated\n");
    await git(repo, ["add", "notes.txt"]);

    // Act
    const run = await cli(["deploy", V2, "--env", "staging", "--commit", "--json"]);

    // Assert
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { kind: string; path: string; commit: string; after: string };
    expect(out).toMatchObject({ kind: "deploy", path: "environments/staging.yaml" });
    expect(await read()).toBe(staging(V1, V2));
    expect(out.after).toBe(staging(V1, V2));
    expect(await git(repo, ["rev-parse", "HEAD"])).toBe(out.commit);
    expect((await git(repo, ["show", "--name-only", "--format=%s", "HEAD"])).split("\n")).toEqual([
      "Deploy customer_churn_prediction (222222222222) to staging [canary]",
      "",
      "environments/staging.yaml",
    ]);
    expect(await git(repo, ["diff", "--cached", "--name-only"])).toBe("notes.txt");
  });

  it("promotes the candidate to stable", async () => {
    await writeFile(join(repo, "environments/staging.yaml"), staging(V1, V2));

    const run = await cli(["promote", "--env", "staging"]);

    expect(run.code).toBe(0);
    expect(run.stdout).toBe("promote: wrote environments/staging.yaml\n");
    expect(await read()).toBe(staging(V2, null));
  });

  it.each([
    ["abort", staging(V1, null, `[${D("2")}]`)],
    ["rollback", staging(V1, null, `[${D("2")}]`)],
  ])("%s clears and quarantines the candidate in progress", async (command, expected) => {
    await writeFile(join(repo, "environments/staging.yaml"), staging(V1, V2));

    const run = await cli([command, "--env", "staging"]);

    expect(run.code).toBe(0);
    expect(await read()).toBe(expected);
  });

  it("rolls a bad stable back to the last good one from git history, skipping quarantined ones", async () => {
    // Arrange: v1 served, then v2 (quarantined meanwhile), then v3
    for (const [stable, quarantine] of [
      [V2, "[]"],
      [V3, `[${D("2")}]`],
    ] as const) {
      await writeFile(join(repo, "environments/staging.yaml"), staging(stable, null, quarantine));
      await git(repo, ["commit", "-q", "-am", `serve ${stable}`]);
    }

    // Act
    const run = await cli(["rollback", "--env", "staging", "--commit"]);

    // Assert
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(await read()).toBe(staging(V1, null, `[${D("2")}, ${D("3")}]`));
    expect(await git(repo, ["status", "--porcelain"])).toBe("");
  });

  it.each([
    [
      "a quarantined digest",
      () => staging(V1, null, `[${D("2")}]`),
      ["deploy", V2, "--env", "staging"],
      /error: `sha256:2{64}` is quarantined in `staging`/,
    ],
    [
      "a model whose name only ends like the environment's",
      () => staging(V1),
      ["deploy", `evilcustomer_churn_prediction:v2@${D("2")}`, "--env", "staging"],
      /is not a version of `customer_churn_prediction`/,
    ],
    [
      "a deploy over a rollout in progress",
      () => staging(V1, V2),
      ["deploy", V3, "--env", "staging"],
      /has a rollout in progress/,
    ],
    [
      "an unknown strategy",
      () => staging(V1),
      ["deploy", V2, "--env", "staging", "--strategy", "rolling"],
      /--strategy rolling/,
    ],
    [
      "an environment without a file",
      () => staging(V1),
      ["rollback", "--env", "production"],
      /no `environments\/production\.yaml`/,
    ],
    [
      "a name that leaves the folder",
      () => staging(V1),
      ["promote", "--env", "../etc"],
      /not an environment name/,
    ],
    [
      "a promote without candidate",
      () => staging(V1),
      ["promote", "--env", "staging"],
      /no candidate to promote/,
    ],
    [
      "an abort without rollout",
      () => staging(V1),
      ["abort", "--env", "staging"],
      /no rollout in progress to abort/,
    ],
    [
      "a rollback when history only ever served the bad stable",
      () => staging(V1),
      ["rollback", "--env", "staging"],
      /no earlier good stable model/,
    ],
  ])("refuses %s and leaves the file as it was", async (_case, text, args, message) => {
    // Arrange
    await writeFile(join(repo, "environments/staging.yaml"), text());

    // Act
    const run = await cli(args);

    // Assert
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe("");
    expect(await read()).toBe(text());
  });

  it("says plainly when --commit cannot commit (no Git repository), after writing the file", async () => {
    // Arrange: a checkout copied without its .git
    const plain = await mkdtemp(join(tmpdir(), "mc-no-git-"));
    await mkdir(join(plain, "environments"));
    await writeFile(join(plain, "environments/staging.yaml"), staging(V1));

    // Act
    const run = await runCli(["--root", plain, "deploy", V2, "--env", "staging", "--commit"], {
      cwd: plain,
      env: IDENTITY,
    });

    // Assert
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /error: environments\/staging\.yaml was written but not committed: git said: .*not a git repository/i,
    );
    expect(await readFile(join(plain, "environments/staging.yaml"), "utf8")).toBe(staging(V1, V2));
    await rm(plain, { recursive: true, force: true });
  });

  it("replaces a rollout in progress with --force", async () => {
    await writeFile(join(repo, "environments/staging.yaml"), staging(V1, V2));

    const run = await cli(["deploy", V3, "--env", "staging", "--force"]);

    expect(run.code).toBe(0);
    expect(await read()).toBe(staging(V1, V3));
  });

  it("sets the stable at once with --strategy simple, clearing the candidate", async () => {
    const run = await cli(["deploy", V2, "--env", "staging", "--strategy", "simple"]);

    expect(run.code).toBe(0);
    expect(await read()).toBe(staging(V2).replace("type: canary", "type: simple"));
  });
});

describe("status", () => {
  it("lists every environment file with its last change, as a table and as JSON", async () => {
    // Arrange: a second environment, uncommitted
    await writeFile(
      join(repo, "environments/production.yaml"),
      staging(V2, V3).replace("name: staging", "name: production"),
    );

    // Act
    const json = await cli(["status", "--json"]);
    const table = await cli(["status", "--env", "staging"]);

    // Assert
    expect(json.code).toBe(0);
    const head = await git(repo, ["rev-parse", "HEAD"]);
    expect(JSON.parse(json.stdout)).toEqual({
      environments: [
        expect.objectContaining({ name: "production", stable: V2, candidate: V3, last_change: null }),
        expect.objectContaining({
          name: "staging",
          stable: V1,
          candidate: null,
          strategy: "canary",
          quarantine: [],
          last_change: { commit: head, date: expect.any(String) as unknown },
        }),
      ],
    });
    expect(table.code).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^ENVIRONMENT\s+MODEL\s+STABLE\s+CANDIDATE\s+STRATEGY/);
    expect(table.stdout).toContain(`staging      customer_churn_prediction  ${V1}  -`);
  });
});
