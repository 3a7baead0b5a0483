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

/** How a file the model was built from differs from HEAD. */
export type WorkingTreeStatus = "modified" | "added" | "untracked" | "ignored";

/** Files the model was built from that are not as committed, with the hash of what was read. */
export interface WorkingTreeState {
  /** True when any of the files differs from HEAD (changed, staged, untracked or ignored). */
  readonly dirty: boolean;
  readonly files: readonly { path: string; sha256: string; status: WorkingTreeStatus }[];
}

function parseStatus(porcelain: string): WorkingTreeStatus | undefined {
  const code = porcelain.slice(0, 2);
  if (code === "") return undefined;
  if (code === "??") return "untracked";
  if (code === "!!") return "ignored";
  return code[0] === "A" ? "added" : "modified";
}

/**
 * Whether each of `paths` (relative to `root`, as the pipeline names them)
 * is as committed at HEAD; `undefined` outside a git checkout. A card built
 * from uncommitted files records them with the SHA-256 of the bytes read
 * (`hash`), since HEAD alone would name a commit that does not hold them.
 */
export async function readWorkingTreeState(
  root: string,
  paths: readonly string[],
  hash: (path: string) => Promise<string>,
): Promise<WorkingTreeState | undefined> {
  try {
    await run("git", ["rev-parse", "--is-inside-work-tree"], { cwd: root, timeout: 10_000 });
  } catch {
    return undefined;
  }
  const files: { path: string; sha256: string; status: WorkingTreeStatus }[] = [];
  for (const path of [...new Set(paths)]) {
    let status: WorkingTreeStatus | undefined;
    try {
      const { stdout } = await run(
        "git",
        ["status", "--porcelain=v1", "--ignored=matching", "-z", "--", path],
        {
          cwd: root,
          timeout: 10_000,
        },
      );
      status = parseStatus(stdout);
    } catch {
      // A file outside the repository (--allow-outside-root): no commit holds it.
      status = "untracked";
    }
    if (status !== undefined) files.push({ path, sha256: await hash(path), status });
  }
  return { dirty: files.length > 0, files };
}
