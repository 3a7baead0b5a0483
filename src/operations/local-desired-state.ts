/**
 * The desired state as a local checkout: a change rewrites the environment
 * file (through a temporary file and a rename, so no reader sees half of
 * it) and, when asked, commits it. History comes from `git log`; outside a
 * Git repository the history is empty. Git runs through `execFile`, never
 * a shell, so no path or message is interpreted.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { ChangeResult, DesiredState, FileCommit, ProposedChange } from "./desired-state.js";
import { OperationRefusal } from "./environment-files.js";

const run = promisify(execFile);

/** Settings of {@link createLocalDesiredState}. */
export interface LocalDesiredStateOptions {
  /** Repository root. */
  readonly root: string;
  /** Folder of the environment files, relative to the root; default `environments`. */
  readonly environmentsDir?: string;
  /** Commit each change (`git commit` of that one file, with the change's title and body). */
  readonly commit?: boolean;
}

function contentRevision(text: string): string {
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

async function git(root: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run("git", [...args], { cwd: root, maxBuffer: 4 << 20 });
  return stdout;
}

async function readWorkingFile(root: string, path: string): Promise<string | undefined> {
  try {
    return await readFile(join(root, path), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

async function readCommittedFile(root: string, path: string, commit: string): Promise<string | undefined> {
  try {
    return await git(root, ["show", `${commit}:${path}`]);
  } catch {
    // The file did not exist at that commit (renamed or deleted).
    return undefined;
  }
}

async function readHistory(root: string, path: string, limit: number): Promise<FileCommit[]> {
  let out: string;
  try {
    out = await git(root, ["log", `-n${limit}`, "--format=%H %cI", "--", path]);
  } catch {
    return [];
  }
  return out
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => {
      const [commit, date] = line.split(" ");
      return { commit: commit!, date };
    });
}

/** Commits the one file; a failure names the file, says it was written, and quotes git's first line. */
async function commitFile(root: string, path: string, change: ProposedChange): Promise<string> {
  try {
    await git(root, ["add", "--", path]);
    await git(root, ["commit", "-q", "-m", change.title, "-m", change.body, "--", path]);
    return (await git(root, ["rev-parse", "HEAD"])).trim();
  } catch (error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    const first = (typeof stderr === "string" ? stderr : String(error)).trim().split("\n")[0]!.slice(0, 300);
    throw new OperationRefusal(`${path} was written but not committed: git said: ${first}`, { cause: error });
  }
}

async function writeChange(options: LocalDesiredStateOptions, change: ProposedChange): Promise<ChangeResult> {
  const { root } = options;
  const { path, text: before } = change.environment;
  const now = await readWorkingFile(root, path);
  if (now !== before) {
    throw new OperationRefusal(`${path} changed on disk since it was read; nothing was written, try again`);
  }
  const target = join(root, path);
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, change.newText);
  await rename(temp, target);
  let commit: string | undefined;
  if (options.commit === true) commit = await commitFile(root, path, change);
  return { status: "written", path, before, after: change.newText, commit };
}

/** The desired state as files in a local checkout. */
export function createLocalDesiredState(options: LocalDesiredStateOptions): DesiredState {
  const { root } = options;
  return {
    environmentsDir: options.environmentsDir ?? "environments",
    where: "the local checkout",
    async read(path, at) {
      const text =
        at === undefined ? await readWorkingFile(root, path) : await readCommittedFile(root, path, at);
      return text === undefined ? undefined : { text, revision: contentRevision(text) };
    },
    history: (path, limit) => readHistory(root, path, limit),
    propose: (change) => writeChange(options, change),
  };
}

/** Names of the environments whose files are in `<root>/<dir>`, sorted. */
export async function listLocalEnvironments(root: string, dir = "environments"): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(join(root, dir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return names
    .filter((file) => file.endsWith(".yaml"))
    .map((file) => file.slice(0, -".yaml".length))
    .sort();
}
