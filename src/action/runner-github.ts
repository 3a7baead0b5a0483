/**
 * The workflow run's GitHub side, as `@actions/github` reads it from the
 * runner: the event and its payload, the repository, the pull request, the
 * API URL, and a proxy-aware Octokit (`getOctokit`, which honours
 * `HTTPS_PROXY`/`NO_PROXY` on self-hosted runners and carries paging).
 *
 * `@actions/github` parses the event file when it is imported, and a broken
 * file would fail there with a bare JSON error; so the file is checked first
 * and its problem named (`loadEventPayload`), then the package is loaded.
 */
import { UsageError } from "../common/errors.js";
import type { OctokitLike } from "../github/rest-ports.js";
import { loadEventPayload } from "./changed.js";

/** What the Action knows of the run's GitHub side. */
export interface RunnerGitHub {
  /** `GITHUB_EVENT_NAME` (`pull_request`, `push`, …); empty outside a workflow. */
  readonly eventName: string;
  /** The event payload; `{}` when the runner names none. */
  readonly payload: unknown;
  /** The repository the workflow runs in; undefined when `GITHUB_REPOSITORY` is unset. */
  readonly repo: { readonly owner: string; readonly repo: string } | undefined;
  /** The pull request of a `pull_request`/`pull_request_target` event. */
  readonly pullNumber: number | undefined;
  /** The REST API base URL (GitHub Enterprise Server's, or a local one in tests). */
  readonly apiUrl: string;
  /** An authenticated, proxy-aware Octokit on {@link apiUrl}. */
  octokit(token: string): OctokitLike;
}

/** Reads the run's context through `@actions/github` (from this process's environment). */
export async function openRunnerGitHub(env: NodeJS.ProcessEnv = process.env): Promise<RunnerGitHub> {
  await loadEventPayload(env.GITHUB_EVENT_PATH);
  const { context, getOctokit } = await import("@actions/github");
  const full = env.GITHUB_REPOSITORY;
  let repo: RunnerGitHub["repo"];
  if (full !== undefined && full !== "") {
    const [owner, name] = full.split("/");
    if (!owner || !name)
      throw new UsageError(`GITHUB_REPOSITORY must be owner/name; got ${JSON.stringify(full)}`);
    repo = context.repo;
  }
  const pull = (context.payload as { pull_request?: { number?: unknown } }).pull_request?.number;
  return {
    eventName: context.eventName ?? "",
    payload: context.payload,
    repo,
    pullNumber: typeof pull === "number" && Number.isSafeInteger(pull) ? pull : undefined,
    apiUrl: context.apiUrl,
    octokit: (token) => getOctokit(token, { baseUrl: context.apiUrl }),
  };
}
