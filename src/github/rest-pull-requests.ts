/**
 * The {@link PullRequests} port on the REST API, with auto-merge through
 * GraphQL (REST has no call for it).
 */
import { z } from "zod";
import { GitHubApiError } from "../common/errors.js";
import { checkGitHubAnswer, messageOf, statusOf } from "./api-errors.js";
import type { AutoMergeOutcome, MergeMethod, PullRequestInfo, PullRequests, RepoRef } from "./ports.js";
import type { OctokitLike, RepoRequest } from "./rest-request.js";

const PullSchema = z.object({
  number: z.number(),
  node_id: z.string(),
  html_url: z.string(),
  state: z.enum(["open", "closed"]),
  merged: z.boolean().nullish(),
  merged_at: z.string().nullish(),
  title: z.string(),
  body: z.string().nullish(),
  head: z.object({ ref: z.string(), sha: z.string(), repo: z.object({ full_name: z.string() }).nullable() }),
  base: z.object({ ref: z.string(), repo: z.object({ full_name: z.string() }) }),
  user: z.object({ login: z.string() }).nullish(),
});
type PullData = z.output<typeof PullSchema>;

function toPull(data: PullData): PullRequestInfo {
  return {
    number: data.number,
    nodeId: data.node_id,
    url: data.html_url,
    state: data.state,
    merged: data.merged ?? (data.merged_at !== null && data.merged_at !== undefined),
    headRef: data.head.ref,
    headSha: data.head.sha,
    headRepo: data.head.repo?.full_name ?? null,
    baseRepo: data.base.repo.full_name,
    baseRef: data.base.ref,
    title: data.title,
    body: data.body ?? "",
    author: data.user?.login ?? null,
  };
}

const AUTO_MERGE_MUTATION = `mutation($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod!) {
  enablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId, mergeMethod: $mergeMethod }) {
    pullRequest { number }
  }
}`;

/** Sorts GraphQL refusals of auto-merge into the two cases the bot can work around. */
export function classifyAutoMergeError(message: string): AutoMergeOutcome | undefined {
  if (/clean status/i.test(message)) return "clean_status";
  if (/auto.?merge is not allowed|not allowed for this repository|auto-merge is disabled/i.test(message)) {
    return "not_allowed";
  }
  return undefined;
}

async function listPullsOfHead(
  request: RepoRequest,
  repo: RepoRef,
  branch: string,
  filter: { state: "open" | "all"; per_page: number },
): Promise<PullData[]> {
  const res = await request(`list pulls of ${branch}`, "GET /repos/{owner}/{repo}/pulls", {
    head: `${repo.owner}:${branch}`,
    ...filter,
  });
  return checkGitHubAnswer("list pulls", z.array(PullSchema), res.data).filter((p) => p.head.ref === branch);
}

async function enableAutoMerge(
  octokit: OctokitLike,
  pr: PullRequestInfo,
  method: MergeMethod,
): Promise<AutoMergeOutcome> {
  try {
    await octokit.graphql(AUTO_MERGE_MUTATION, {
      pullRequestId: pr.nodeId,
      mergeMethod: method.toUpperCase(),
    });
    return "enabled";
  } catch (error) {
    const outcome = classifyAutoMergeError(messageOf(error));
    if (outcome) return outcome;
    throw new GitHubApiError(
      `GitHub API enable auto-merge of #${pr.number} failed: ${messageOf(error)}`,
      statusOf(error),
      { cause: error },
    );
  }
}

/** The pull requests of one repository. */
export function createPullRequests(octokit: OctokitLike, request: RepoRequest, repo: RepoRef): PullRequests {
  return {
    async get(number) {
      const res = await request(`get pull #${number}`, "GET /repos/{owner}/{repo}/pulls/{pull_number}", {
        pull_number: number,
      });
      return toPull(checkGitHubAnswer(`get pull #${number}`, PullSchema, res.data));
    },
    async create(input) {
      const res = await request(`create pull from ${input.head}`, "POST /repos/{owner}/{repo}/pulls", input);
      return toPull(checkGitHubAnswer("create pull", PullSchema, res.data));
    },
    async findOpenByHead(branch) {
      const [first] = await listPullsOfHead(request, repo, branch, { state: "open", per_page: 5 });
      return first ? toPull(first) : undefined;
    },
    async findLatestByHead(branch) {
      const pulls = await listPullsOfHead(request, repo, branch, { state: "all", per_page: 10 });
      const newest = pulls.reduce<PullData | undefined>(
        (best, p) => (best === undefined || p.number > best.number ? p : best),
        undefined,
      );
      return newest ? toPull(newest) : undefined;
    },
    async close(number) {
      await request(`close #${number}`, "PATCH /repos/{owner}/{repo}/pulls/{pull_number}", {
        pull_number: number,
        state: "closed",
      });
    },
    async addLabels(number, labels) {
      if (labels.length === 0) return;
      await request(`label #${number}`, "POST /repos/{owner}/{repo}/issues/{issue_number}/labels", {
        issue_number: number,
        labels,
      });
    },
    enableAutoMerge: (pr, method) => enableAutoMerge(octokit, pr, method),
    async merge(number, method, sha) {
      await request(`merge #${number}`, "PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", {
        pull_number: number,
        merge_method: method,
        ...(sha === undefined ? {} : { sha }),
      });
    },
  };
}
