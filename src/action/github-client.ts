/**
 * The comment port the Action uses: the workflow's token on the
 * proxy-aware Octokit of `@actions/github`, at the API URL the runner names
 * (GitHub Enterprise Server, or a local fake in tests). Lists are read page
 * after page, so a PR with hundreds of comments still finds its report.
 */
import { UsageError } from "../common/errors.js";
import type { Comments } from "../github/ports.js";
import { createRepoPorts } from "../github/rest-ports.js";
import type { RunnerGitHub } from "./runner-github.js";

/** Opens the comments of the run's repository with `token`. */
export function createCommentsPort(token: string, github: RunnerGitHub): Comments {
  if (github.repo === undefined)
    throw new UsageError("GITHUB_REPOSITORY is unset: no repository to comment on");
  // One try per call (no retry plugin): a comment is not worth delaying the
  // job over, and a refused write (fork) must not be retried.
  return createRepoPorts(github.octokit(token), github.repo).comments;
}
