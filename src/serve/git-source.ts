/**
 * Reads the environment file from a git remote, so a merged pull request
 * reaches the server without a checkout or a restart. It runs the `git`
 * binary (no shell, with a timeout) in a private bare repository: each poll
 * fetches only the tip of the ref (`--depth 1`) into `FETCH_HEAD` and reads
 * the file's blob from it. Any URL git understands works (https, ssh, a local
 * path, file://); credentials come from the user's git configuration, and
 * prompts are switched off so a remote that asks for a password fails
 * instead of hanging.
 */
import { execFile } from "node:child_process";
import { MetaControllerError } from "../common/errors.js";

/** A git remote could not be read: the message names the remote, the ref and the path. */
export class GitSourceError extends MetaControllerError {}

/** Where the environment file lives in git. */
export interface GitSourceOptions {
  /** Any URL or path `git fetch` accepts. */
  readonly remote: string;
  /** Branch, tag or full ref name. */
  readonly ref: string;
  /** Path of the environment file inside the repository, with `/` separators. */
  readonly path: string;
  /** The private bare repository; created when missing. */
  readonly cacheDir: string;
  /** Longest a git command may run (default 60 s). */
  readonly timeoutMs?: number;
  /** The git binary (default `git` on PATH). */
  readonly git?: string;
  /** Stops a running git command (the server closing). */
  readonly signal?: AbortSignal;
}

/** The environment file at the fetched tip of the ref. */
export interface GitSnapshot {
  readonly commit: string;
  /** Object id of the file's blob: it changes exactly when the file does. */
  readonly blob: string;
  /** `<remote>@<ref>:<path>`, the name parse errors carry. */
  readonly file: string;
}

/** A polled git remote. */
export interface GitSource {
  /** `<remote>@<ref>:<path>`, for logs and errors. */
  readonly name: string;
  /** Fetches the ref and finds the file's blob; throws {@link GitSourceError}. */
  fetchSnapshot(): Promise<GitSnapshot>;
  /** The text of a blob found by {@link GitSource.fetchSnapshot}. */
  readBlob(snapshot: GitSnapshot): Promise<string>;
}

/** An environment file is small; a blob larger than this is refused rather than buffered. */
const MAX_BLOB_BYTES = 4 * 1024 * 1024;
const OBJECT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/**
 * Checks the parts of a git source a user typed. A value starting with `-`
 * would be read by git as an option, so it is refused here.
 */
export function checkGitSourceOptions(options: Pick<GitSourceOptions, "remote" | "ref" | "path">): string[] {
  const problems: string[] = [];
  if (options.remote === "" || options.remote.startsWith("-"))
    problems.push(
      `git remote ${JSON.stringify(options.remote)}: expected a URL or path not starting with "-"`,
    );
  if (options.ref === "" || options.ref.startsWith("-") || /[\s~^:?*[\\]|\.\.|@\{/.test(options.ref))
    problems.push(`git ref ${JSON.stringify(options.ref)}: expected a branch, tag or ref name`);
  if (
    options.path === "" ||
    options.path.startsWith("/") ||
    options.path.split("/").some((part) => part === ".." || part === "")
  )
    problems.push(
      `git path ${JSON.stringify(options.path)}: expected a path inside the repository such as environments/staging.yaml`,
    );
  return problems;
}

/** Runs git with `args` in `cwd`; resolves to stdout, rejects with git's own last words. */
function runGit(
  git: string,
  cwd: string,
  args: readonly string[],
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      git,
      // Maintenance off: nothing detaches into the background of a cache that is deleted at close.
      ["-c", "gc.auto=0", "-c", "maintenance.auto=false", ...args],
      {
        cwd,
        timeout: timeoutMs,
        killSignal: "SIGKILL",
        maxBuffer: MAX_BLOB_BYTES,
        encoding: "utf8",
        ...(signal === undefined ? {} : { signal }),
        env: {
          ...process.env,
          GIT_TERMINAL_PROMPT: "0",
          GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? "ssh -o BatchMode=yes",
          LC_ALL: "C",
        },
      },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve(stdout);
          return;
        }
        const timedOut = error.killed || error.signal === "SIGKILL";
        const lines = stderr
          .split("\n")
          .map((line) => line.trim())
          .filter((line) => line !== "" && !line.startsWith("hint:"));
        // git's own diagnosis is on its fatal:/error: lines; the rest is advice.
        const fatal = lines.filter((line) => /^(?:fatal|error):/.test(line));
        const said = (fatal.length > 0 ? fatal : lines).slice(-2).join("; ");
        reject(
          new Error(
            timedOut ? `git ${args[0] ?? ""} did not finish within ${timeoutMs} ms` : said || error.message,
            { cause: error },
          ),
        );
      },
    );
  });
}

/** Creates the private bare repository (once) and returns the source. */
export async function openGitSource(options: GitSourceOptions): Promise<GitSource> {
  const problems = checkGitSourceOptions(options);
  if (problems.length > 0) throw new GitSourceError(problems.join("\n"));
  const git = options.git ?? "git";
  const timeoutMs = options.timeoutMs ?? 60_000;
  const name = `${options.remote}@${options.ref}:${options.path}`;
  const { mkdir } = await import("node:fs/promises");
  await mkdir(options.cacheDir, { recursive: true });
  try {
    await runGit(git, options.cacheDir, ["init", "--bare", "--quiet", "."], timeoutMs, options.signal);
  } catch (error) {
    throw new GitSourceError(
      `${name}: cannot create the git cache in ${options.cacheDir}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const run = (args: readonly string[]): Promise<string> =>
    runGit(git, options.cacheDir, args, timeoutMs, options.signal);
  return {
    name,
    async fetchSnapshot() {
      try {
        await run(["fetch", "--quiet", "--no-tags", "--depth", "1", options.remote, options.ref]);
      } catch (error) {
        throw new GitSourceError(
          `cannot fetch ref ${JSON.stringify(options.ref)} from git remote ${options.remote} (for ${options.path}): ${(error as Error).message}`,
          { cause: error },
        );
      }
      const commit = (await run(["rev-parse", "--verify", "FETCH_HEAD^{commit}"])).trim();
      let blob: string;
      try {
        blob = (await run(["rev-parse", "--verify", "--quiet", `${commit}:${options.path}`])).trim();
      } catch (error) {
        throw new GitSourceError(
          `${options.path} does not exist at ${options.ref} (commit ${commit.slice(0, 12)}) of git remote ${options.remote}`,
          { cause: error },
        );
      }
      const type = (await run(["cat-file", "-t", blob])).trim();
      if (!OBJECT_ID.test(blob) || type !== "blob")
        throw new GitSourceError(
          `${options.path} at ${options.ref} (commit ${commit.slice(0, 12)}) of git remote ${options.remote} is a ${type}, not a file`,
        );
      const size = Number((await run(["cat-file", "-s", blob])).trim());
      if (!(size <= MAX_BLOB_BYTES))
        throw new GitSourceError(
          `${options.path} at ${options.ref} (commit ${commit.slice(0, 12)}) of git remote ${options.remote} is ${size} bytes; the limit is ${MAX_BLOB_BYTES}`,
        );
      return { commit, blob, file: name };
    },
    async readBlob(snapshot) {
      try {
        return await run(["cat-file", "blob", snapshot.blob]);
      } catch (error) {
        throw new GitSourceError(`${name}: cannot read blob ${snapshot.blob}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
  };
}
