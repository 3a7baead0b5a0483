/**
 * The ports of `ports.ts` implemented on Octokit's REST and GraphQL calls.
 * Responses are checked with small zod schemas so a surprising answer
 * becomes a {@link GitHubApiError} naming the call, not a crash later.
 */
import { z } from "zod";
import { GitHubApiError } from "../common/errors.js";
import { checkGitHubAnswer, messageOf, statusOf, throwGitHubFailure } from "./api-errors.js";
import { PERMISSION_LEVELS, type PermissionLevel } from "../config/environment.js";
import type {
  AutoMergeOutcome,
  CommentInfo,
  DeploymentInfo,
  MergeMethod,
  PullRequestInfo,
  RepoPorts,
  RepoRef,
} from "./ports.js";

/** The two calls of an Octokit instance the ports use. */
export interface OctokitLike {
  request(route: string, parameters?: Record<string, unknown>): Promise<{ status: number; data: unknown }>;
  graphql(query: string, parameters?: Record<string, unknown>): Promise<unknown>;
}

async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    return throwGitHubFailure(what, error);
  }
}

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
});

function toPull(data: z.output<typeof PullSchema>): PullRequestInfo {
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
  };
}

const CommentSchema = z.object({
  id: z.number(),
  body: z.string().nullish(),
  html_url: z.string(),
  user: z.object({ login: z.string() }).nullable(),
});

function toComment(data: z.output<typeof CommentSchema>): CommentInfo {
  return { id: data.id, body: data.body ?? "", author: data.user?.login ?? "", url: data.html_url };
}

const DeploymentSchema = z.object({
  id: z.number(),
  ref: z.string(),
  environment: z.string(),
  payload: z.union([z.record(z.string(), z.unknown()), z.string()]).nullish(),
});

function toDeployment(data: z.output<typeof DeploymentSchema>): DeploymentInfo {
  let payload: Record<string, unknown> = {};
  if (typeof data.payload === "string") {
    try {
      const parsed: unknown = JSON.parse(data.payload);
      if (typeof parsed === "object" && parsed !== null) payload = parsed as Record<string, unknown>;
    } catch {
      payload = {};
    }
  } else if (data.payload) {
    payload = data.payload;
  }
  return { id: data.id, ref: data.ref, environment: data.environment, payload };
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

function toLevel(roleName: string | null | undefined, permission: string): PermissionLevel | "none" {
  const candidate = roleName ?? permission;
  return (PERMISSION_LEVELS as readonly string[]).includes(candidate)
    ? (candidate as PermissionLevel)
    : (PERMISSION_LEVELS as readonly string[]).includes(permission)
      ? (permission as PermissionLevel)
      : "none";
}

/** Builds every port of one repository on an authenticated Octokit. */
export function createRepoPorts(octokit: OctokitLike, repo: RepoRef): RepoPorts {
  const base = { owner: repo.owner, repo: repo.repo };
  const request = (what: string, route: string, params: Record<string, unknown> = {}) =>
    call(what, () => octokit.request(route, { ...base, ...params }));

  return {
    repo,
    pulls: {
      async get(number) {
        const res = await request(`get pull #${number}`, "GET /repos/{owner}/{repo}/pulls/{pull_number}", {
          pull_number: number,
        });
        return toPull(checkGitHubAnswer(`get pull #${number}`, PullSchema, res.data));
      },
      async create(input) {
        const res = await request(
          `create pull from ${input.head}`,
          "POST /repos/{owner}/{repo}/pulls",
          input,
        );
        return toPull(checkGitHubAnswer("create pull", PullSchema, res.data));
      },
      async findOpenByHead(branch) {
        const res = await request(`list pulls of ${branch}`, "GET /repos/{owner}/{repo}/pulls", {
          head: `${repo.owner}:${branch}`,
          state: "open",
          per_page: 5,
        });
        const pulls = checkGitHubAnswer("list pulls", z.array(PullSchema), res.data);
        const first = pulls.find((p) => p.head.ref === branch);
        return first ? toPull(first) : undefined;
      },
      async findLatestByHead(branch) {
        const res = await request(`list pulls of ${branch}`, "GET /repos/{owner}/{repo}/pulls", {
          head: `${repo.owner}:${branch}`,
          state: "all",
          per_page: 10,
        });
        const pulls = checkGitHubAnswer("list pulls", z.array(PullSchema), res.data).filter(
          (p) => p.head.ref === branch,
        );
        const newest = pulls.reduce<(typeof pulls)[number] | undefined>(
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
      async enableAutoMerge(pr, method: MergeMethod) {
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
            {
              cause: error,
            },
          );
        }
      },
      async merge(number, method, sha) {
        await request(`merge #${number}`, "PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", {
          pull_number: number,
          merge_method: method,
          ...(sha === undefined ? {} : { sha }),
        });
      },
    },
    contents: {
      async defaultBranch() {
        const res = await request("get repository", "GET /repos/{owner}/{repo}");
        return checkGitHubAnswer("get repository", z.object({ default_branch: z.string() }), res.data)
          .default_branch;
      },
      async read(path, ref) {
        try {
          const res = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
            ...base,
            path,
            ...(ref === undefined ? {} : { ref }),
          });
          const data = checkGitHubAnswer(
            `read ${path}`,
            z.object({ type: z.literal("file"), content: z.string(), sha: z.string(), encoding: z.string() }),
            res.data,
          );
          const text =
            data.encoding === "base64" ? Buffer.from(data.content, "base64").toString("utf8") : data.content;
          return { text, sha: data.sha };
        } catch (error) {
          if (statusOf(error) === 404) return undefined;
          return call(`read ${path}`, () =>
            Promise.reject(error instanceof Error ? error : new Error(String(error))),
          );
        }
      },
      async history(path, ref, limit) {
        const res = await request(`history of ${path}`, "GET /repos/{owner}/{repo}/commits", {
          path,
          sha: ref,
          per_page: limit,
        });
        const commits = checkGitHubAnswer(
          `history of ${path}`,
          z.array(
            z.object({
              sha: z.string(),
              commit: z.object({
                message: z.string(),
                committer: z.object({ date: z.string().optional() }).nullish(),
              }),
            }),
          ),
          res.data,
        );
        return commits.map((c) => ({
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
      async createBranch(branch, sha) {
        try {
          await octokit.request("POST /repos/{owner}/{repo}/git/refs", {
            ...base,
            ref: `refs/heads/${branch}`,
            sha,
          });
          return "created";
        } catch (error) {
          // GitHub answers 422 "Reference already exists": another replica or
          // an earlier delivery got there first.
          if (statusOf(error) === 422 && /already exists/i.test(messageOf(error))) return "exists";
          return call(`create branch ${branch}`, () =>
            Promise.reject(error instanceof Error ? error : new Error(String(error))),
          );
        }
      },
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
    },
    comments: {
      async react(commentId, reaction) {
        await request(
          `react to comment ${commentId}`,
          "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
          {
            comment_id: commentId,
            content: reaction,
          },
        );
      },
      async reactionsOf(issueNumber) {
        const res = await request(
          `reactions on #${issueNumber}`,
          "GET /repos/{owner}/{repo}/issues/{issue_number}/reactions",
          { issue_number: issueNumber, per_page: 100 },
        );
        return checkGitHubAnswer(
          `reactions on #${issueNumber}`,
          z.array(z.object({ content: z.string(), user: z.object({ login: z.string() }).nullable() })),
          res.data,
        ).map((r) => ({ content: r.content, user: r.user?.login ?? "" }));
      },
      async create(issueNumber, body) {
        const res = await request(
          `comment on #${issueNumber}`,
          "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
          {
            issue_number: issueNumber,
            body,
          },
        );
        return toComment(checkGitHubAnswer(`comment on #${issueNumber}`, CommentSchema, res.data));
      },
      async update(commentId, body) {
        await request(
          `update comment ${commentId}`,
          "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
          {
            comment_id: commentId,
            body,
          },
        );
      },
      async list(issueNumber) {
        const res = await request(
          `list comments of #${issueNumber}`,
          "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
          {
            issue_number: issueNumber,
            per_page: 100,
          },
        );
        return checkGitHubAnswer(`list comments of #${issueNumber}`, z.array(CommentSchema), res.data).map(
          toComment,
        );
      },
      async findOrCreateIssue(title, label, body) {
        const res = await request(`list issues labelled ${label}`, "GET /repos/{owner}/{repo}/issues", {
          labels: label,
          state: "open",
          per_page: 100,
        });
        const issues = checkGitHubAnswer(
          "list issues",
          z.array(z.object({ number: z.number(), title: z.string() })),
          res.data,
        );
        const found = issues.find((i) => i.title === title);
        if (found) return found.number;
        const created = await request(`create issue ${title}`, "POST /repos/{owner}/{repo}/issues", {
          title,
          body,
          labels: [label],
        });
        return checkGitHubAnswer("create issue", z.object({ number: z.number() }), created.data).number;
      },
    },
    deployments: {
      async create(input) {
        const res = await request(
          `create deployment to ${input.environment}`,
          "POST /repos/{owner}/{repo}/deployments",
          {
            ref: input.ref,
            environment: input.environment,
            description: input.description,
            payload: input.payload,
            auto_merge: false,
            required_contexts: [],
            transient_environment: false,
          },
        );
        return toDeployment(checkGitHubAnswer("create deployment", DeploymentSchema, res.data));
      },
      async setStatus(id, state, description, logUrl) {
        await request(
          `set deployment ${id} ${state}`,
          "POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
          {
            deployment_id: id,
            state,
            description: description.slice(0, 140),
            ...(logUrl === undefined ? {} : { log_url: logUrl }),
          },
        );
      },
      async list(environment, limit) {
        const res = await request(
          `list deployments of ${environment}`,
          "GET /repos/{owner}/{repo}/deployments",
          {
            environment,
            per_page: limit,
          },
        );
        return checkGitHubAnswer("list deployments", z.array(DeploymentSchema), res.data).map(toDeployment);
      },
    },
    permissions: {
      async levelOf(user) {
        try {
          const res = await octokit.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", {
            ...base,
            username: user,
          });
          const data = checkGitHubAnswer(
            `permission of ${user}`,
            z.object({ permission: z.string(), role_name: z.string().nullish() }),
            res.data,
          );
          return toLevel(data.role_name, data.permission);
        } catch (error) {
          if (statusOf(error) === 404) return "none";
          return call(`permission of ${user}`, () =>
            Promise.reject(error instanceof Error ? error : new Error(String(error))),
          );
        }
      },
    },
    workflows: {
      async dispatch(workflow, ref, inputs) {
        await request(
          `dispatch ${workflow}`,
          "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
          { workflow_id: workflow, ref, inputs },
        );
      },
    },
  };
}
