/**
 * The one way the REST ports call GitHub: an Octokit narrowed to the two
 * calls they use, with every failure turned into a {@link GitHubApiError}
 * that names what was asked.
 */
import { throwGitHubFailure } from "./api-errors.js";
import type { RepoRef } from "./ports.js";

/** The two calls of an Octokit instance the ports use. */
export interface OctokitLike {
  request(route: string, parameters?: Record<string, unknown>): Promise<{ status: number; data: unknown }>;
  graphql(query: string, parameters?: Record<string, unknown>): Promise<unknown>;
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
 * Rethrows an error a port caught to look at (a 404 or 422 it answers
 * itself) but does not handle, as a GitHubApiError saying that `what` failed.
 */
export function rethrowGitHubFailure(what: string, error: unknown): never {
  return throwGitHubFailure(what, error instanceof Error ? error : new Error(String(error)));
}
