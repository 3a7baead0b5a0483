/**
 * A real git repository in a temp folder, driven with plumbing commands so
 * the fake GitHub can commit on branches and merge pull requests for real.
 */
import { execFile } from "node:child_process";
import { mkdtemp, writeFile, mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

const IDENTITY = {
  GIT_AUTHOR_NAME: "Fake GitHub",
  GIT_AUTHOR_EMAIL: "fake@github.test",
  GIT_COMMITTER_NAME: "Fake GitHub",
  GIT_COMMITTER_EMAIL: "fake@github.test",
};

/** Runs git in `dir` and returns stdout without the trailing newline. */
export async function git(
  dir: string,
  args: readonly string[],
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<string> {
  const child = run("git", [...args], {
    cwd: dir,
    env: { ...process.env, ...IDENTITY, ...options.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (options.input !== undefined) {
    child.child.stdin?.end(options.input);
  }
  const { stdout } = await child;
  return stdout.replace(/\n$/, "");
}

/** Creates a repository on `main` holding `files` in one commit; returns its folder. */
export async function createGitRepo(files: Readonly<Record<string, string>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "mc-fake-repo-"));
  await git(dir, ["init", "-q", "-b", "main"]);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  await git(dir, ["add", "-A"]);
  await git(dir, ["commit", "-q", "-m", "initial"]);
  return dir;
}

/**
 * Commits `text` to `path` on `branch` with a throwaway index; returns the
 * new commit. `date` back-dates it (author and committer), for histories
 * whose age matters.
 */
export async function commitFile(
  dir: string,
  branch: string,
  path: string,
  text: string,
  message: string,
  date?: Date,
): Promise<string> {
  const parent = await git(dir, ["rev-parse", `refs/heads/${branch}`]);
  const index = join(dir, ".git", `index-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const env = { GIT_INDEX_FILE: index };
  try {
    await git(dir, ["read-tree", parent], { env });
    const blob = await git(dir, ["hash-object", "-w", "--stdin"], { input: text });
    await git(dir, ["update-index", "--add", "--cacheinfo", `100644,${blob},${path}`], { env });
    const tree = await git(dir, ["write-tree"], { env });
    const dated =
      date === undefined
        ? {}
        : { GIT_AUTHOR_DATE: date.toISOString(), GIT_COMMITTER_DATE: date.toISOString() };
    const commit = await git(dir, ["commit-tree", tree, "-p", parent, "-m", message], { env: dated });
    await git(dir, ["update-ref", `refs/heads/${branch}`, commit, parent]);
    return commit;
  } finally {
    await rm(index, { force: true });
  }
}

/** Squash-merges `head` into `base`; returns the new commit, or undefined on a conflict. */
export async function squashMerge(
  dir: string,
  base: string,
  head: string,
  message: string,
): Promise<string | undefined> {
  const baseSha = await git(dir, ["rev-parse", `refs/heads/${base}`]);
  let tree: string;
  try {
    tree = (await git(dir, ["merge-tree", "--write-tree", `refs/heads/${base}`, `refs/heads/${head}`])).split(
      "\n",
    )[0]!;
  } catch {
    return undefined;
  }
  const commit = await git(dir, ["commit-tree", tree, "-p", baseSha, "-m", message]);
  await git(dir, ["update-ref", `refs/heads/${base}`, commit, baseSha]);
  return commit;
}

/** Text of `path` at `ref`, or undefined when absent. */
export async function showFile(dir: string, ref: string, path: string): Promise<string | undefined> {
  try {
    const out = await run("git", ["show", `${ref}:${path}`], { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
    return out.stdout;
  } catch {
    return undefined;
  }
}
