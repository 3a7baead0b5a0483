/**
 * The Action's set-up script (`scripts/action-setup.sh`, dry run): which
 * Node it runs on and what it installs, for the runners users have. It
 * never changes the job's PATH: the Node it picks is a path for the
 * action's own steps.
 */
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const SCRIPT = fileURLToPath(new URL("../../scripts/action-setup.sh", import.meta.url));
let dir: string | undefined;

afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Runs the script's dry run with `node` answering `version` (or no node at all), and a release or a branch checkout. */
async function dryRun(version: string | null, release: boolean) {
  dir = await mkdtemp(join(tmpdir(), "mc-setup-"));
  const bin = join(dir, "bin");
  const action = join(dir, "action");
  await mkdir(bin);
  await mkdir(join(action, "dist", "action"), { recursive: true });
  if (release) await writeFile(join(action, "dist", "action", "index.js"), "");
  // Only the tools the script needs, so the machine's own node is not found.
  for (const tool of ["dirname", "uname", "tr", "cat"]) await symlink(`/usr/bin/${tool}`, join(bin, tool));
  if (version !== null) {
    await writeFile(join(bin, "node"), `#!/bin/sh\necho ${version}\n`);
    await chmod(join(bin, "node"), 0o755);
  }
  const output = join(dir, "output");
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(
      "/bin/bash",
      [SCRIPT, "--dry-run"],
      {
        env: { PATH: bin, GITHUB_ACTION_PATH: action, RUNNER_TEMP: dir, GITHUB_OUTPUT: output },
      },
      (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
    ),
  );
  const outputs = Object.fromEntries(
    (await readFile(output, "utf8"))
      .trim()
      .split("\n")
      .map((line) => line.split("=") as [string, string]),
  );
  return { stdout, outputs, bin, dir };
}

describe("the Action's set-up", () => {
  it.each(["v20.18.0", "v22.3.0", "v24.11.1"])(
    "runs on the runner's Node %s and leaves it alone",
    async (v) => {
      const { outputs, bin, stdout } = await dryRun(v, true);
      expect(outputs).toEqual({ node: join(bin, "node"), mode: "release" });
      expect(stdout).toContain(`the runner's ${v}`);
    },
  );

  it.each([["v20.17.1"], ["v18.20.4"], [null]])(
    "uses a Node of its own, by path, when the runner's is %s",
    async (v) => {
      const { outputs, dir: root, stdout } = await dryRun(v, true);
      expect(outputs.node).toBe(join(root, "meta-controller-node-24.11.1", "bin", "node"));
      expect(stdout).toContain("later steps keep the runner's");
    },
  );

  it("installs production dependencies for a release and builds from source on a branch", async () => {
    const release = await dryRun("v24.11.1", true);
    await rm(release.dir, { recursive: true, force: true });
    const branch = await dryRun("v24.11.1", false);
    expect(release.outputs.mode).toBe("release");
    expect(release.stdout).toContain("production only");
    expect(branch.outputs.mode).toBe("source");
    expect(branch.stdout).toContain("dist/ built from the sources");
  });
});
