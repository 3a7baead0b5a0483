/**
 * The comment port the Action uses, on the workflow's token and the API URL
 * the runner names (GitHub Enterprise Server, or a local fake in tests).
 */
import { UsageError } from "../common/errors.js";
import { createOctokitClass } from "../github/octokit-class.js";
import type { Comments } from "../github/ports.js";
import { createRepoPorts, type OctokitLike } from "../github/rest-ports.js";

/** Opens the comments of `GITHUB_REPOSITORY` with `token`. */
export function createCommentsPort(token: string, env: NodeJS.ProcessEnv): Comments {
  const full = env.GITHUB_REPOSITORY ?? "";
  const [owner, repo] = full.split("/");
  if (!owner || !repo)
    throw new UsageError(`GITHUB_REPOSITORY must be owner/name; got ${JSON.stringify(full)}`);
  // One try per call: a comment is not worth delaying the job over, and a
  // refused write (fork) must not be retried.
  const Octokit = createOctokitClass({ retries: 0, spaceWrites: false });
  const octokit = new Octokit({
    auth: { token },
    baseUrl: env.GITHUB_API_URL ?? "https://api.github.com",
  }) as unknown as OctokitLike;
  return createRepoPorts(octokit, { owner, repo }).comments;
}
