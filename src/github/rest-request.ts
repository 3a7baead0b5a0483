/**
 * The one way the REST ports call GitHub: an Octokit narrowed to the calls
 * they use, with every failure turned into a {@link GitHubApiError} that
 * names what was asked.
 */
import { throwGitHubFailure } from "./api-errors.js";
import type { RepoRef } from "./ports.js";

/**
 * The calls of an Octokit instance the ports use. `paginate` follows the
 * `Link` header through every page of a list (Probot's Octokit and
 * `@actions/github`'s both carry `@octokit/plugin-paginate-rest`).
 */
export interface OctokitLike {
  request(route: string, parameters?: Record<string, unknown>): Promise<{ status: number; data: unknown }>;
  graphql(query: string, parameters?: Record<string, unknown>): Promise<unknown>;
  paginate(route: string, parameters?: Record<string, unknown>): Promise<unknown[]>;
}

/**
 * One REST call on a repository: `owner` and `repo` are filled in, and a
 * failure becomes a GitHubApiError saying that `what` failed.
 */
export type RepoRequest = (
  what: string,
  route: string,
  params?: Record<string, unknown>,
) => Promise<{ status: number; data: unknown }>;

/** The {@link RepoRequest} of one repository. */
export function createRepoRequest(octokit: OctokitLike, repo: RepoRef): RepoRequest {
  const base = { owner: repo.owner, repo: repo.repo };
  return async (what, route, params = {}) => {
    try {
      return await octokit.request(route, { ...base, ...params });
    } catch (error) {
      return throwGitHubFailure(what, error);
    }
  };
}

/**
 * Every item of a list on a repository, page after page (`per_page` 100),
 * so a PR with hundreds of comments is read whole; a failure becomes a
 * GitHubApiError saying that `what` failed.
 */
export type RepoList = (what: string, route: string, params?: Record<string, unknown>) => Promise<unknown[]>;

/** The {@link RepoList} of one repository. */
export function createRepoList(octokit: OctokitLike, repo: RepoRef): RepoList {
  const base = { owner: repo.owner, repo: repo.repo, per_page: 100 };
  return async (what, route, params = {}) => {
    try {
      return await octokit.paginate(route, { ...base, ...params });
    } catch (error) {
      return throwGitHubFailure(what, error);
    }
  };
}

/**
 * Rethrows an error a port caught to look at (a 404 or 422 it answers
 * itself) but does not handle, as a GitHubApiError saying that `what` failed.
 */
export function rethrowGitHubFailure(what: string, error: unknown): never {
  return throwGitHubFailure(what, error instanceof Error ? error : new Error(String(error)));
}
