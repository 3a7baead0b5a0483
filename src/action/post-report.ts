/**
 * The PR comment: one per pipeline, found again by its sticky marker and
 * edited in place. A read-only token (a pull request from a fork) cannot
 * comment; that is reported as a notice, never a failure, because the job
 * summary already carries the report.
 */
import { GitHubApiError } from "../common/errors.js";
import type { Comments } from "../github/ports.js";
import { readReportAuthors, renderReportMarker } from "../github/report-marker.js";
import { upsertStickyComment, type StickyOwner } from "../github/sticky-comment.js";

/** How posting ended. */
export type PostOutcome =
  { readonly kind: "posted"; readonly url: string } | { readonly kind: "skipped"; readonly reason: string };

/** The sticky key of a pipeline's report. */
export function reportKey(pipeline: string): string {
  return `report ${pipeline}`;
}

/**
 * The comment body: the report, and the machine-readable marker with the
 * pushed model (the bot's `/deploy` reads it). Without a pushed model there
 * is no marker, so `/deploy` never picks a model that failed its gates.
 */
export function buildCommentBody(input: {
  readonly pipeline: string;
  readonly report: string;
  readonly pinnedRef?: string;
  readonly gatesPassed: boolean;
  readonly metrics: Readonly<Record<string, number>>;
}): string {
  const lines: string[] = [];
  if (input.pinnedRef)
    lines.push(
      renderReportMarker({
        pipeline: input.pipeline,
        ref: input.pinnedRef,
        gatesPassed: input.gatesPassed,
        metrics: input.metrics,
      }),
    );
  lines.push(input.report);
  return lines.join("\n");
}

/**
 * Logins the Action's token comments as, whose report comment it edits
 * (`REPORT_AUTHORS`; default `github-actions[bot]`, the workflow token's
 * identity). The bot trusts report markers from the same list.
 */
export const reportAuthors = readReportAuthors;

/**
 * Creates or edits the pipeline's comment on the pull request: only a
 * comment `owner` wrote is edited, never someone else's copy of the marker.
 */
export async function postReportComment(
  comments: Comments,
  pullNumber: number,
  pipeline: string,
  body: string,
  owner: StickyOwner,
): Promise<PostOutcome> {
  try {
    const comment = await upsertStickyComment(comments, pullNumber, reportKey(pipeline), body, owner);
    return { kind: "posted", url: comment.url };
  } catch (error) {
    // 403: a fork's read-only token, or a workflow without `pull-requests: write`.
    if (error instanceof GitHubApiError && (error.status === 403 || error.status === 404)) {
      return {
        kind: "skipped",
        reason: `the token may not comment on #${pullNumber} (HTTP ${error.status}; a pull request from a fork gets a read-only token, or the workflow lacks pull-requests: write); the report is in the job summary`,
      };
    }
    throw error;
  }
}
