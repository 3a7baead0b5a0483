/**
 * A local registry created inside a git work tree keeps its model files out
 * of git: the new registry folder gets a `.gitignore` holding `*`. Writing
 * inside the new folder (rather than editing the repository's own
 * `.gitignore`) touches no file of the user's, and deleting that one file
 * opts back in. Only a folder this process creates is marked; an existing
 * registry is the user's to arrange, and so is one the repository already
 * ignores (the default `.meta-controller/registry` of a repository whose
 * `.gitignore` lists `.meta-controller/`): nothing is written or said then.
 */
import { execFile } from "node:child_process";
import { dirname, join, relative } from "node:path";
import { promisify } from "node:util";
import type { FileSystem } from "./fs-port.js";

/** What the `.gitignore` says, so a reader of the folder knows where it came from. */
const GITIGNORE_TEXT =
  "# Written by meta-controller when it created this registry: model files stay out of git.\n" +
  "# Delete this file to commit them.\n*\n";

/** The nearest folder at or above `dir` holding `.git` (a folder, or a worktree's file), if any. */
async function findWorkTree(fileSystem: FileSystem, dir: string): Promise<string | undefined> {
  for (let at = dir; ; at = dirname(at)) {
    if ((await fileSystem.stat(join(at, ".git"))) !== undefined) return at;
    if (dirname(at) === at) return undefined;
  }
}

/** Whether git already ignores `path` in `workTree` (false when git cannot tell, or is not installed). */
async function isIgnoredByGit(workTree: string, path: string): Promise<boolean> {
  try {
    await promisify(execFile)("git", ["check-ignore", "-q", "--", path], { cwd: workTree });
    return true; // exit 0: ignored
  } catch {
    return false; // exit 1 (not ignored), 128 (not a repository) or no git
  }
}

/**
 * Creates `root` when it is missing; when it lies in a git work tree that
 * does not already ignore it, writes
 * `root/.gitignore` and returns a line saying so (undefined otherwise).
 */
export async function createRegistryRoot(fileSystem: FileSystem, root: string): Promise<string | undefined> {
  if ((await fileSystem.stat(root)) !== undefined) return undefined;
  const workTree = await findWorkTree(fileSystem, dirname(root));
  await fileSystem.mkdir(root);
  if (workTree === undefined || (await isIgnoredByGit(workTree, root))) return undefined;
  const ignore = join(root, ".gitignore");
  await fileSystem.writeFile(ignore, new TextEncoder().encode(GITIGNORE_TEXT));
  const shown = relative(workTree, ignore);
  return `created the registry folder ${relative(workTree, root)} inside the git work tree ${workTree}; wrote ${shown} ("*") so model files are not committed (delete ${shown} to commit them)`;
}
