/** The {@link Contents} port on the REST contents, commits and git refs APIs. */
import { z } from "zod";
import { checkGitHubAnswer, messageOf, statusOf } from "./api-errors.js";
import type { Contents, FileContent, RepoRef } from "./ports.js";
import { type OctokitLike, type RepoRequest, rethrowGitHubFailure } from "./rest-request.js";

const FileSchema = z.object({
  type: z.literal("file"),
  content: z.string(),
  sha: z.string(),
  encoding: z.string(),
});

const HistorySchema = z.array(
  z.object({
    sha: z.string(),
    commit: z.object({
      message: z.string(),
      committer: z.object({ date: z.string().optional() }).nullish(),
    }),
  }),
);

/** A file of `repo` at `ref` (the default branch when undefined); undefined when it does not exist. */
export async function readFile(
  octokit: OctokitLike,
  repo: RepoRef,
  path: string,
  ref: string | undefined,
): Promise<FileContent | undefined> {
  try {
    const res = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
      owner: repo.owner,
      repo: repo.repo,
      path,
      ...(ref === undefined ? {} : { ref }),
    });
    const data = checkGitHubAnswer(`read ${path}`, FileSchema, res.data);
    const text =
      data.encoding === "base64" ? Buffer.from(data.content, "base64").toString("utf8") : data.content;
    return { text, sha: data.sha };
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    return rethrowGitHubFailure(`read ${path}`, error);
  }
}

async function createBranch(
  octokit: OctokitLike,
  repo: RepoRef,
  branch: string,
  sha: string,
): Promise<"created" | "exists"> {
  try {
    await octokit.request("POST /repos/{owner}/{repo}/git/refs", {
      owner: repo.owner,
      repo: repo.repo,
      ref: `refs/heads/${branch}`,
      sha,
    });
    return "created";
  } catch (error) {
    // GitHub answers 422 "Reference already exists": another replica or
    // an earlier delivery got there first.
    if (statusOf(error) === 422 && /already exists/i.test(messageOf(error))) return "exists";
    return rethrowGitHubFailure(`create branch ${branch}`, error);
  }
}

/** The contents and branches of one repository. */
export function createContents(octokit: OctokitLike, request: RepoRequest, repo: RepoRef): Contents {
  return {
    async defaultBranch() {
      const res = await request("get repository", "GET /repos/{owner}/{repo}");
      return checkGitHubAnswer("get repository", z.object({ default_branch: z.string() }), res.data)
        .default_branch;
    },
    read: (path, ref) => readFile(octokit, repo, path, ref),
    async history(path, ref, limit) {
      const res = await request(`history of ${path}`, "GET /repos/{owner}/{repo}/commits", {
        path,
        sha: ref,
        per_page: limit,
      });
      return checkGitHubAnswer(`history of ${path}`, HistorySchema, res.data).map((c) => ({
        sha: c.sha,
        message: c.commit.message,
        date: c.commit.committer?.date,
      }));
    },
    async branchSha(branch) {
      const res = await request(`read branch ${branch}`, "GET /repos/{owner}/{repo}/git/ref/{ref}", {
        ref: `heads/${branch}`,
      });
      return checkGitHubAnswer(
        `read branch ${branch}`,
        z.object({ object: z.object({ sha: z.string() }) }),
        res.data,
      ).object.sha;
    },
    createBranch: (branch, sha) => createBranch(octokit, repo, branch, sha),
    async write(input) {
      await request(`write ${input.path}`, "PUT /repos/{owner}/{repo}/contents/{path}", {
        path: input.path,
        message: input.message,
        content: Buffer.from(input.text, "utf8").toString("base64"),
        sha: input.sha,
        branch: input.branch,
      });
    },
    async pullsOfCommit(sha) {
      const res = await request(`pulls of ${sha}`, "GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", {
        commit_sha: sha,
      });
      return checkGitHubAnswer(`pulls of ${sha}`, z.array(z.object({ number: z.number() })), res.data).map(
        (p) => p.number,
      );
    },
  };
}
