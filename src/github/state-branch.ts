/**
 * The {@link StateBranch} port on the contents API: files of a branch that
 * only the bot writes (by default `meta-controller/state`), read-modify-write
 * appends guarded by the blob sha, so bot replicas share state through the
 * repository and keep none of their own.
 */
import { z } from "zod";
import { GitHubApiError } from "../common/errors.js";
import { computeBackoffDelay, sleep as defaultSleep, type Sleep } from "../common/http/backoff.js";
import { createRandom, type Random } from "../common/random.js";
import type { RepoRef, StateAppendResult, StateBranch, StateFileEntry, StatePathChooser } from "./ports.js";
import { checkGitHubAnswer, messageOf, statusOf, throwGitHubFailure } from "./api-errors.js";
import type { OctokitLike } from "./rest-request.js";

/** The branch the bot keeps its state on. */
export const STATE_BRANCH = "meta-controller/state";

/**
 * The contents API answers files up to 1 MB with their content; larger ones
 * need another media type and, past 100 MB, the git data API. Writers keep
 * each file well below this so a read is always one plain call.
 */
export const CONTENTS_READ_LIMIT = 1024 * 1024;

/** What the state branch's only file besides the state says. */
export const STATE_BRANCH_README = `# Meta-Controller state

This branch holds the state Meta-Controller's bot shares between its
replicas: the decision log, as JSON Lines under \`decisions/\` (one file
per month, continued in \`_01\`, \`_02\`, … parts). The bot appends to it
through the contents API.

It is not code: it shares no history with the default branch, runs no
workflows, and must never be merged. Read it with
\`meta-controller policy evaluate --log decisions/\`.
`;

/** Settings of {@link createStateBranch}. */
export interface StateBranchOptions {
  /** Default {@link STATE_BRANCH}. */
  readonly branch?: string;
  /** Commits tried per append before giving up. Default 8. */
  readonly maxAttempts?: number;
  /** First back-off after a lost race, ms; doubles each time, with jitter. Default 50. */
  readonly backoffMs?: number;
  /**
   * Jitter source. Replicas that lost the same race must not retry in step,
   * so the default seeds it with the process id.
   */
  readonly random?: Random;
  readonly sleep?: Sleep;
}

const FileSchema = z.object({
  type: z.literal("file"),
  content: z.string(),
  encoding: z.string(),
  sha: z.string(),
  size: z.number().optional(),
});

const ListingSchema = z.array(
  z.object({ type: z.string(), path: z.string(), sha: z.string(), size: z.number() }),
);

/** Where the state lives: the calls of one repository's branch, for messages and requests. */
interface StateTarget {
  readonly octokit: OctokitLike;
  readonly base: { readonly owner: string; readonly repo: string };
  readonly branch: string;
  /** `<branch> of <owner>/<repo>`, for messages. */
  readonly where: string;
}

/**
 * Waits before the next attempt after a lost race: exponential back-off
 * with jitter. The one place the retry timing lives.
 */
function createBackoff(options: StateBranchOptions): (attempt: number) => Promise<void> {
  const backoffMs = options.backoffMs ?? 50;
  const random = options.random ?? createRandom(process.pid);
  const sleep = options.sleep ?? defaultSleep;
  return (attempt) => sleep(computeBackoffDelay(attempt, backoffMs, random));
}

async function getContents(target: StateTarget, path: string): Promise<unknown> {
  try {
    const res = await target.octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
      ...target.base,
      path,
      ref: target.branch,
    });
    return res.data;
  } catch (error) {
    // 404 covers both a missing file and a missing branch.
    if (statusOf(error) === 404) return undefined;
    return throwGitHubFailure(`read ${path} on ${target.where}`, error);
  }
}

async function readStateFile(
  target: StateTarget,
  path: string,
): Promise<{ text: string; sha: string } | undefined> {
  const data = await getContents(target, path);
  if (data === undefined) return undefined;
  const file = checkGitHubAnswer(`read ${path} on ${target.where}`, FileSchema, data);
  if (file.encoding !== "base64") {
    // GitHub answers "none" with empty content above the 1 MB limit.
    throw new GitHubApiError(
      `${path} on ${target.where} is ${file.size ?? "over 1 MB"} bytes, too large for the contents API (encoding "${file.encoding}"); its writers must start a new file before ${CONTENTS_READ_LIMIT} bytes`,
    );
  }
  return { text: Buffer.from(file.content, "base64").toString("utf8"), sha: file.sha };
}

async function listStateFolder(target: StateTarget, dir: string): Promise<StateFileEntry[]> {
  const data = await getContents(target, dir.replace(/\/+$/, ""));
  if (data === undefined) return [];
  const entries = checkGitHubAnswer(`list ${dir} on ${target.where}`, ListingSchema, data);
  return entries
    .filter((e) => e.type === "file")
    .map((e): StateFileEntry => ({ path: e.path, sha: e.sha, size: e.size }));
}

/** True when the branch exists; any answer but 404 is a failure. */
async function branchExists(target: StateTarget): Promise<boolean> {
  try {
    await target.octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", {
      ...target.base,
      ref: `heads/${target.branch}`,
    });
    return true;
  } catch (error) {
    if (statusOf(error) !== 404) throwGitHubFailure(`read branch ${target.branch}`, error);
    return false;
  }
}

/** The orphan commit the branch starts from: a README and no parent. */
async function createFirstCommit(target: StateTarget): Promise<string> {
  const { octokit, base, branch } = target;
  try {
    const treeRes = await octokit.request("POST /repos/{owner}/{repo}/git/trees", {
      ...base,
      tree: [{ path: "README.md", mode: "100644", type: "blob", content: STATE_BRANCH_README }],
    });
    const tree = checkGitHubAnswer("create tree", z.object({ sha: z.string() }), treeRes.data).sha;
    const commitRes = await octokit.request("POST /repos/{owner}/{repo}/git/commits", {
      ...base,
      message: `Start ${branch}: Meta-Controller's state (not code; never merge it)`,
      tree,
      parents: [],
    });
    return checkGitHubAnswer("create commit", z.object({ sha: z.string() }), commitRes.data).sha;
  } catch (error) {
    return throwGitHubFailure(`create the first commit of ${branch}`, error);
  }
}

/**
 * Creates the branch as an orphan commit holding only a README: it shares
 * no history or files with the default branch, so it carries none of the
 * repository's workflows and no push to it runs one.
 */
async function createStateBranchRef(target: StateTarget): Promise<void> {
  if (await branchExists(target)) return;
  const commit = await createFirstCommit(target);
  try {
    await target.octokit.request("POST /repos/{owner}/{repo}/git/refs", {
      ...target.base,
      ref: `refs/heads/${target.branch}`,
      sha: commit,
      // A resent create after a lost answer would only meet "already exists"; answer it once.
      request: { retries: 0 },
    });
  } catch (error) {
    // Another replica created it between our read and our write: fine.
    if (!(statusOf(error) === 422 && /already exists/i.test(messageOf(error)))) {
      throwGitHubFailure(`create branch ${target.branch}`, error);
    }
  }
}

/**
 * One read-modify-write of `path`: `lost` when another writer changed the
 * file (409, or 422 about the sha) or deleted the branch (404) since the read.
 */
async function tryAppend(
  target: StateTarget,
  path: string,
  text: string,
  message: string,
): Promise<{ size: number } | { lost: unknown; branchGone: boolean }> {
  const current = await readStateFile(target, path);
  const next = `${current?.text ?? ""}${text}`;
  try {
    await target.octokit.request("PUT /repos/{owner}/{repo}/contents/{path}", {
      ...target.base,
      path,
      message,
      branch: target.branch,
      content: Buffer.from(next, "utf8").toString("base64"),
      ...(current === undefined ? {} : { sha: current.sha }),
      // A resent PUT carries the stale sha again; the caller re-reads instead.
      request: { retries: 0 },
    });
    return { size: Buffer.byteLength(next, "utf8") };
  } catch (error) {
    const status = statusOf(error);
    // The branch went away (someone deleted it): the caller creates it again.
    if (status === 404) return { lost: error, branchGone: true };
    // 409: the sha is stale; 422 about the sha: the file appeared since we read it. Another writer won.
    if (status === 409 || (status === 422 && /\bsha\b/i.test(messageOf(error)))) {
      return { lost: error, branchGone: false };
    }
    return throwGitHubFailure(`append to ${path} on ${target.where}`, error);
  }
}

/** Creates the port for one repository. */
export function createStateBranch(
  octokit: OctokitLike,
  repo: RepoRef,
  options: StateBranchOptions = {},
): StateBranch {
  const branch = options.branch ?? STATE_BRANCH;
  const maxAttempts = options.maxAttempts ?? 8;
  const backoff = createBackoff(options);
  const target: StateTarget = {
    octokit,
    base: { owner: repo.owner, repo: repo.repo },
    branch,
    where: `${branch} of ${repo.owner}/${repo.repo}`,
  };
  // Known to exist, so appends skip the ref read; forgotten when a commit finds it gone.
  let branchKnown = false;
  async function ensureBranch(): Promise<void> {
    if (branchKnown) return;
    await createStateBranchRef(target);
    branchKnown = true;
  }

  async function append(
    chosen: string | StatePathChooser,
    text: string,
    message: string,
  ): Promise<StateAppendResult> {
    await ensureBranch();
    let lastError: unknown;
    let path = typeof chosen === "string" ? chosen : "";
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      // Chosen afresh each time: a writer that won the race may have started a new file.
      if (typeof chosen !== "string") path = await chosen();
      const outcome = await tryAppend(target, path, text, message);
      if ("size" in outcome) return { attempts: attempt, size: outcome.size, path };
      lastError = outcome.lost;
      if (outcome.branchGone) {
        branchKnown = false;
        await ensureBranch();
      }
      if (attempt < maxAttempts) await backoff(attempt);
    }
    throw new GitHubApiError(
      `GitHub API append to ${path} on ${target.where} failed: ${maxAttempts} attempts all lost to concurrent writers (last: ${messageOf(lastError)})`,
      statusOf(lastError),
      { cause: lastError },
    );
  }

  return {
    branch,
    list: (dir) => listStateFolder(target, dir),
    read: (path) => readStateFile(target, path),
    append,
  };
}
