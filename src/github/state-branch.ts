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
import type { RepoRef, StateAppendResult, StateBranch, StateFileEntry } from "./ports.js";
import { checkGitHubAnswer, messageOf, statusOf, throwGitHubFailure } from "./api-errors.js";
import type { OctokitLike } from "./rest-ports.js";

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

/** Creates the port for one repository. */
export function createStateBranch(
  octokit: OctokitLike,
  repo: RepoRef,
  options: StateBranchOptions = {},
): StateBranch {
  const branch = options.branch ?? STATE_BRANCH;
  const maxAttempts = options.maxAttempts ?? 8;
  const backoffMs = options.backoffMs ?? 50;
  const random = options.random ?? createRandom(process.pid);
  const sleep = options.sleep ?? defaultSleep;
  const base = { owner: repo.owner, repo: repo.repo };
  const where = `${branch} of ${repo.owner}/${repo.repo}`;
  let branchKnown = false;

  async function getContents(path: string): Promise<unknown> {
    try {
      const res = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
        ...base,
        path,
        ref: branch,
      });
      return res.data;
    } catch (error) {
      // 404 covers both a missing file and a missing branch.
      if (statusOf(error) === 404) return undefined;
      return throwGitHubFailure(`read ${path} on ${where}`, error);
    }
  }

  async function read(path: string): Promise<{ text: string; sha: string } | undefined> {
    const data = await getContents(path);
    if (data === undefined) return undefined;
    const file = checkGitHubAnswer(`read ${path} on ${where}`, FileSchema, data);
    if (file.encoding !== "base64") {
      // GitHub answers "none" with empty content above the 1 MB limit.
      throw new GitHubApiError(
        `${path} on ${where} is ${file.size ?? "over 1 MB"} bytes, too large for the contents API (encoding "${file.encoding}"); its writers must start a new file before ${CONTENTS_READ_LIMIT} bytes`,
      );
    }
    return { text: Buffer.from(file.content, "base64").toString("utf8"), sha: file.sha };
  }

  /**
   * Creates the branch as an orphan commit holding only a README: it shares
   * no history or files with the default branch, so it carries none of the
   * repository's workflows and no push to it runs one.
   */
  async function ensureBranch(): Promise<void> {
    if (branchKnown) return;
    try {
      await octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { ...base, ref: `heads/${branch}` });
      branchKnown = true;
      return;
    } catch (error) {
      if (statusOf(error) !== 404) throwGitHubFailure(`read branch ${branch}`, error);
    }
    let commit: string;
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
      commit = checkGitHubAnswer("create commit", z.object({ sha: z.string() }), commitRes.data).sha;
    } catch (error) {
      throwGitHubFailure(`create the first commit of ${branch}`, error);
    }
    try {
      await octokit.request("POST /repos/{owner}/{repo}/git/refs", {
        ...base,
        ref: `refs/heads/${branch}`,
        sha: commit,
        // A resent create after a lost answer would only meet "already exists"; answer it once.
        request: { retries: 0 },
      });
    } catch (error) {
      // Another replica created it between our read and our write: fine.
      if (!(statusOf(error) === 422 && /already exists/i.test(messageOf(error)))) {
        throwGitHubFailure(`create branch ${branch}`, error);
      }
    }
    branchKnown = true;
  }

  return {
    branch,
    async list(dir) {
      const data = await getContents(dir.replace(/\/+$/, ""));
      if (data === undefined) return [];
      const entries = checkGitHubAnswer(`list ${dir} on ${where}`, ListingSchema, data);
      return entries
        .filter((e) => e.type === "file")
        .map((e): StateFileEntry => ({ path: e.path, sha: e.sha, size: e.size }));
    },
    read,
    async append(target, text, message): Promise<StateAppendResult> {
      await ensureBranch();
      let lastError: unknown;
      let path = typeof target === "string" ? target : "";
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        // Chosen afresh each time: a writer that won the race may have started a new file.
        if (typeof target !== "string") path = await target();
        const current = await read(path);
        const next = `${current?.text ?? ""}${text}`;
        try {
          await octokit.request("PUT /repos/{owner}/{repo}/contents/{path}", {
            ...base,
            path,
            message,
            branch,
            content: Buffer.from(next, "utf8").toString("base64"),
            ...(current === undefined ? {} : { sha: current.sha }),
            // A resent PUT carries the stale sha again; this loop re-reads instead.
            request: { retries: 0 },
          });
          return { attempts: attempt, size: Buffer.byteLength(next, "utf8"), path };
        } catch (error) {
          const status = statusOf(error);
          lastError = error;
          if (status === 404) {
            // The branch went away (someone deleted it): create it again.
            branchKnown = false;
            await ensureBranch();
          } else if (!(status === 409 || (status === 422 && /\bsha\b/i.test(messageOf(error))))) {
            throwGitHubFailure(`append to ${path} on ${where}`, error);
          }
          // 409: the sha is stale; 422 about the sha: the file appeared since we read it. Another writer won.
          if (attempt < maxAttempts) await sleep(computeBackoffDelay(attempt, backoffMs, random));
        }
      }
      throw new GitHubApiError(
        `GitHub API append to ${path} on ${where} failed: ${maxAttempts} attempts all lost to concurrent writers (last: ${messageOf(lastError)})`,
        statusOf(lastError),
        { cause: lastError },
      );
    },
  };
}
