/**
 * Pull request events on the bot's own branches: a closed PR settles its
 * deployment record, and a rollback closed unmerged by someone entitled is
 * a person's revert for the decision log.
 */
import type { Probot } from "probot";
import { createRepoPorts } from "../github/rest-ports.js";
import type { BotRuntime } from "./bot-runtime.js";
import { asOctokitLike } from "./octokit-like.js";
import { findClosedRevert, type ClosedPullRequest } from "./pr-closed-outcome.js";

/** Registers the closed and review handlers. */
export function registerPullRequestHandlers(app: Probot, runtime: BotRuntime): void {
  const { log, policy } = runtime;
  app.on("pull_request.closed", async (context) => {
    const pr = context.payload.pull_request;
    const match = /^meta-controller\/[a-z]+\/([a-z0-9-]+)\//.exec(pr.head.ref);
    if (!match) return;
    const octokit = asOctokitLike(context.octokit);
    const ports = createRepoPorts(octokit, context.repo());
    if (!pr.merged && policy.recordOutcome) {
      // A person closing the bot's rollback unmerged says the rollback was wrong.
      const decisionLog = runtime.decisionLogFor(octokit, context.repo());
      const closed: ClosedPullRequest = {
        repository: context.payload.repository.full_name,
        headRef: pr.head.ref,
        headRepo: pr.head.repo?.full_name ?? null,
        body: pr.body ?? "",
        merged: pr.merged,
        author: { login: pr.user.login, type: pr.user.type },
        closer: { login: context.payload.sender.login, type: context.payload.sender.type },
      };
      const revert = await findClosedRevert(ports, decisionLog ?? runtime.localLog, closed, log);
      if (revert !== undefined) {
        await policy.recordOutcome(
          { ...revert, at: runtime.now(), event: "human_revert", detail: "rollback_pr_closed_unmerged" },
          decisionLog,
        );
      }
    }
    const deployments = await ports.deployments.list(match[1]!, 30);
    const record = deployments.find((d) => d.payload.pull_request === pr.number);
    if (!record) return;
    await ports.deployments.setStatus(
      record.id,
      pr.merged ? "success" : "failure",
      pr.merged ? `PR #${pr.number} merged` : `PR #${pr.number} closed without merging`,
      pr.html_url,
    );
  });

  app.on("pull_request_review.submitted", (context) => {
    // Reviews gate the bot's PRs through branch rules and auto-merge; the bot only notes them.
    const { review, pull_request: pr } = context.payload;
    if (pr.head.ref.startsWith("meta-controller/")) {
      log.info({ pr: pr.number, state: review.state }, "review on a Meta-Controller pull request");
    }
  });
}
