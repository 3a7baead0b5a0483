/**
 * `issue_comment.created`: a slash command from a person becomes a reply.
 * Bots are never obeyed; the command runs through {@link handleCommand}.
 */
import type { Probot } from "probot";
import type { IncidentOutcomeEvent } from "../decision/incident-policy.js";
import { DEFAULT_REPORT_AUTHORS } from "../github/report-marker.js";
import { createRepoPorts } from "../github/rest-ports.js";
import type { BotRuntime } from "./bot-runtime.js";
import { parseCommand } from "./commands.js";
import { handleCommand } from "./handle-command.js";
import { asOctokitLike } from "./octokit-like.js";

/** Registers the comment command handler. */
export function registerCommandHandler(app: Probot, runtime: BotRuntime): void {
  const { log, policy } = runtime;
  app.on("issue_comment.created", async (context) => {
    const { comment, issue } = context.payload;
    const command = parseCommand(comment.body);
    if (!command) return;
    const user = comment.user;
    if (!user || user.type === "Bot" || context.isBot) {
      log.info({ user: user?.login }, "refused a command from a bot");
      return;
    }
    const octokit = asOctokitLike(context.octokit);
    const ports = createRepoPorts(octokit, context.repo());
    await ports.comments.react(comment.id, "eyes");
    const decisionLog = runtime.decisionLogFor(octokit, context.repo());
    const recordOutcome =
      policy.recordOutcome === undefined
        ? {}
        : {
            recordOutcome: (outcome: Omit<IncidentOutcomeEvent, "at">) =>
              policy.recordOutcome!({ ...outcome, at: runtime.now() }, decisionLog),
          };
    const reply = await handleCommand({
      ports,
      issueNumber: issue.number,
      isPullRequest: issue.pull_request !== undefined && issue.pull_request !== null,
      commenter: user.login,
      command,
      memory: runtime.memory,
      cardSummary: runtime.options.cardSummary,
      modelCards: runtime.options.modelCards,
      reportAuthors: runtime.options.reportAuthors ?? DEFAULT_REPORT_AUTHORS,
      log,
      ...recordOutcome,
    });
    await ports.comments.create(issue.number, reply);
  });
}
