/**
 * The commit a model is built from, for its card and its commit tag: `git
 * rev-parse HEAD` in the repository, else `GITHUB_SHA`.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The full commit hash of `root`'s HEAD, or `undefined` outside a git checkout. */
export async function readGitCommit(
  root: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  try {
    const { stdout } = await run("git", ["rev-parse", "HEAD"], { cwd: root, timeout: 10_000 });
    const commit = stdout.trim();
    if (/^[0-9a-f]{40}$/.test(commit)) return commit;
  } catch {
    // Not a checkout (or no git): fall through to the CI variable.
  }
  const sha = env.GITHUB_SHA;
  return sha && /^[0-9a-f]{40}$/.test(sha) ? sha : undefined;
}
