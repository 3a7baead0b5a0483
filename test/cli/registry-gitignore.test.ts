/**
 * `train --registry ./registry` inside a git repository: the new registry
 * folder keeps its model files out of git, and the CLI says so.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createChurnProject } from "../helpers/churn-project.js";
import { runCli } from "../helpers/processes.js";

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** The small churn project; a git repository when `git` is true. */
function createProject(git: boolean): string {
  const root = createChurnProject("quick");
  folders.push(root);
  if (git) execFileSync("git", ["init", "-q"], { cwd: root });
  return root;
}

describe("train --registry ./registry in a git repository", () => {
  it("writes registry/.gitignore, says so, and git sees no model file", async () => {
    const root = createProject(true);
    const run = await runCli(
      ["--log-format", "json", "train", "pipelines/quick.yaml", "--registry", "./registry"],
      {
        cwd: root,
        timeoutMs: 300_000,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(root, "registry/.gitignore"), "utf8")).toMatch(/^\*$/m);
    const note = run.stderr
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .find((line) => line.msg.startsWith("created the registry folder"));
    expect(note?.level).toBe(40);
    expect(note?.msg).toContain(
      `created the registry folder registry inside the git work tree ${root}; wrote registry/.gitignore ("*") so model files are not committed`,
    );
    const status = execFileSync("git", ["status", "--porcelain", "--untracked-files=all"], {
      cwd: root,
      encoding: "utf8",
    });
    expect(status).not.toMatch(/registry\//);
    expect(status).toMatch(/pipelines\/quick\.yaml/);
  }, 300_000);

  it("writes and says nothing when the repository already ignores the folder (the default .meta-controller/registry)", async () => {
    const root = createProject(true);
    writeFileSync(join(root, ".gitignore"), ".meta-controller/\n");
    const run = await runCli(["train", "pipelines/quick.yaml", "--registry", ".meta-controller/registry"], {
      cwd: root,
      timeoutMs: 300_000,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(() => readFileSync(join(root, ".meta-controller/registry/.gitignore"))).toThrow(/ENOENT/);
    expect(run.stderr).not.toContain("created the registry folder");
  }, 300_000);

  it("writes nothing extra outside a git repository", async () => {
    const root = createProject(false);
    const run = await runCli(["train", "pipelines/quick.yaml", "--registry", "./registry"], {
      cwd: root,
      timeoutMs: 300_000,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(() => readFileSync(join(root, "registry/.gitignore"))).toThrow(/ENOENT/);
    expect(run.stderr).not.toContain("created the registry folder");
  }, 300_000);
});
