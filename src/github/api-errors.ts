/**
 * How a failed or malformed GitHub API answer becomes a {@link GitHubApiError}:
 * one wording for every port, naming what was asked and the HTTP status.
 */
import type { z } from "zod";
import { GitHubApiError } from "../common/errors.js";

/** The HTTP status an Octokit error carries, if any. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error === "object" && error !== null && "status" in error) {
    const status = error.status;
    return typeof status === "number" ? status : undefined;
  }
  return undefined;
}

/** An error's message, or the thrown value as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Throws `error` as a GitHubApiError saying that `what` failed (unchanged when it already is one). */
export function throwGitHubFailure(what: string, error: unknown): never {
  if (error instanceof GitHubApiError) throw error;
  const status = statusOf(error);
  throw new GitHubApiError(
    `GitHub API ${what} failed${status === undefined ? "" : ` (HTTP ${status})`}: ${messageOf(error)}`,
    status,
    { cause: error },
  );
}

/** Parses an answer with `schema`, or throws naming `what` and the first field that did not fit. */
export function checkGitHubAnswer<S extends z.ZodType>(what: string, schema: S, data: unknown): z.output<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GitHubApiError(
      `GitHub API ${what} answered an unexpected shape at ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? ""}`,
    );
  }
  return parsed.data;
}
