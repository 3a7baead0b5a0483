/**
 * The ports of `ports.ts` implemented on Octokit's REST and GraphQL calls,
 * one file per port (`rest-*.ts`). Responses are checked with small zod
 * schemas so a surprising answer becomes a {@link GitHubApiError} naming the
 * call, not a crash later.
 */
import type { RepoPorts, RepoRef } from "./ports.js";
import { createComments } from "./rest-comments.js";
import { createContents } from "./rest-contents.js";
import { createDeployments } from "./rest-deployments.js";
import { createPermissions } from "./rest-permissions.js";
import { createPullRequests } from "./rest-pull-requests.js";
import { createRepoList, createRepoRequest, type OctokitLike } from "./rest-request.js";
import { createSettings } from "./rest-settings.js";
import { createWorkflows } from "./rest-workflows.js";

// Callers in the bot and the Action import the Octokit shape from here, beside the assembler.
export type { OctokitLike } from "./rest-request.js";

/** Builds every port of one repository on an authenticated Octokit. */
export function createRepoPorts(octokit: OctokitLike, repo: RepoRef): RepoPorts {
  const request = createRepoRequest(octokit, repo);
  return {
    repo,
    pulls: createPullRequests(octokit, request, repo),
    contents: createContents(octokit, request, repo),
    settings: createSettings(octokit, repo),
    comments: createComments(request, createRepoList(octokit, repo)),
    deployments: createDeployments(request),
    permissions: createPermissions(octokit, repo),
    workflows: createWorkflows(request),
  };
}
