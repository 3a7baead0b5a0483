/**
 * Turns one comment command into a reply: checks who asks and where, then
 * runs the operation. Every refusal is a sentence for the person who asked.
 */
import type { Logger } from "../common/logger.js";
import { ConfigError, GitHubApiError } from "../common/errors.js";
import type { BotConfig } from "../config/bot-config.js";
import type { PermissionLevel } from "../config/environment.js";
import { digestOfRef, EnvironmentEditError } from "../deploy/environment-edits.js";
import type { RepoPorts } from "../github/ports.js";
import { findLatestReportMarker } from "../github/report-marker.js";
import { sanitizeForGitHub } from "../decision/sanitize.js";
import { meetsLevel } from "./authorize.js";
import type { ChangeResult } from "./change-pr.js";
import { renderHelp, type BotCommand } from "./commands.js";
import { findIncidentMarker } from "./handle-incident.js";
import type { IncidentMemory } from "./incident-memory.js";
import type { IncidentOutcomeEvent } from "./incident-policy.js";
import {
  requestDeploy,
  requestPromote,
  requestRollback,
  type CardSummarySource,
  type OperationContext,
} from "./operations.js";
import { renderDiagnosis } from "./render.js";
import { BotRefusal, loadBotConfig, loadEnvironment, type LoadedEnvironment } from "./repository-files.js";

/** Where a command was written and by whom. */
export interface CommandRequest {
  readonly ports: RepoPorts;
  readonly issueNumber: number;
  readonly isPullRequest: boolean;
  readonly commenter: string;
  readonly command: BotCommand;
  readonly memory: IncidentMemory;
  readonly cardSummary: CardSummarySource | undefined;
  readonly log: Logger;
  /** Logs a person's verdict on an automated action (the decision engine learns from it). */
  readonly recordOutcome?: (outcome: Omit<IncidentOutcomeEvent, "at">) => Promise<void>;
}

function describeResult(result: ChangeResult, what: string): string {
  if (result.status === "duplicate") {
    return result.pr
      ? `${what}: #${result.pr.number} already does this (branch \`${result.branch}\`).`
      : `${what}: branch \`${result.branch}\` already exists, so another request is on it.`;
  }
  const merge =
    result.merge === "auto_merge"
      ? "Auto-merge is requested; it merges once the repository's rules are met."
      : result.merge === "merged"
        ? "It is merged."
        : `It is left for review: ${result.note}.`;
  return `${what}: opened #${result.pr.number}. ${merge}`;
}

function describePayload(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

async function requireLevel(
  request: CommandRequest,
  required: PermissionLevel,
  what: string,
): Promise<PermissionLevel | "none"> {
  const level = await request.ports.permissions.levelOf(request.commenter);
  if (!meetsLevel(level, required)) {
    throw new BotRefusal(
      `@${request.commenter} has \`${level}\` permission; ${what} needs \`${required}\` or higher. Nothing was changed.`,
    );
  }
  return level;
}

async function modelFromReport(request: CommandRequest): Promise<ReturnType<typeof findLatestReportMarker>> {
  if (!request.isPullRequest) return undefined;
  const comments = await request.ports.comments.list(request.issueNumber);
  return findLatestReportMarker(comments.map((c) => c.body));
}

async function runCommand(request: CommandRequest, config: BotConfig, baseBranch: string): Promise<string> {
  const { command, ports } = request;
  const ctx: OperationContext = { ports, config, baseBranch };
  const envOf = async (name: string | undefined): Promise<LoadedEnvironment> =>
    loadEnvironment(ports.contents, config, name ?? config.default_environment, baseBranch);

  switch (command.name) {
    case "help":
      await requireLevel(request, config.commands.help, "`/help`");
      return renderHelp();
    case "unknown":
      return `I do not know \`/${command.word}\`.\n\n${renderHelp()}`;
    case "invalid":
      return `\`/${command.command}\`: ${command.reason}.\n\n${renderHelp()}`;
    case "status": {
      await requireLevel(request, config.commands.status, "`/status`");
      const env = await envOf(command.environment);
      const latest = (await ports.deployments.list(env.name, 1))[0];
      return [
        `**${env.name}** (\`${env.path}\`), model \`${env.spec.model}\``,
        "",
        "| | |",
        "| --- | --- |",
        `| stable | ${env.spec.stable ? `\`${env.spec.stable}\`` : "—"} |`,
        `| candidate | ${env.spec.candidate ? `\`${env.spec.candidate}\` (rollout in progress)` : "—"} |`,
        `| strategy | ${env.spec.strategy.type} |`,
        `| quarantined | ${env.spec.quarantine.length === 0 ? "—" : env.spec.quarantine.map((d) => `\`${d}\``).join(", ")} |`,
        `| last deployment | ${latest ? `${describePayload(latest.payload.kind, "deploy")} \`${describePayload(latest.payload.model_ref, latest.ref)}\`` : "—"} |`,
      ].join("\n");
    }
    case "diagnose": {
      await requireLevel(request, config.commands.diagnose, "`/diagnose`");
      const env = await envOf(command.environment);
      const repository = `${ports.repo.owner}/${ports.repo.repo}`;
      const latest = request.memory.latest(repository, env.name);
      if (!latest) return `No incident has been reported for **${env.name}** since the bot started.`;
      return renderDiagnosis(latest.incident, latest.decision);
    }
    case "retrain": {
      await requireLevel(request, config.commands.retrain, "`/retrain`");
      const inputs: Record<string, string> =
        command.pipeline === undefined ? {} : { pipeline: command.pipeline };
      await ports.workflows.dispatch(config.retrain_workflow, baseBranch, inputs);
      return `Started \`${config.retrain_workflow}\` on \`${baseBranch}\`${command.pipeline ? ` for pipeline \`${command.pipeline}\`` : ""}.`;
    }
    case "deploy": {
      const env = await envOf(command.environment);
      const level = await requireLevel(request, env.spec.permissions.deploy, `deploying to \`${env.name}\``);
      const marker = command.ref === undefined ? await modelFromReport(request) : undefined;
      const ref = command.ref ?? marker?.ref;
      if (!ref) {
        throw new BotRefusal(
          "no model to deploy: name one (`/deploy canary churn:v3@sha256:…`) or comment on a PR that has a Meta-Controller report",
        );
      }
      const digest = digestOfRef(ref);
      // Quarantine is checked before anything else: no flag overrides it.
      if (digest && env.spec.quarantine.includes(digest)) {
        throw new BotRefusal(
          `\`${digest}\` is quarantined in \`${env.name}\`: it was rolled back and is never deployed again`,
        );
      }
      if (env.spec.candidate) {
        if (!command.force) {
          throw new BotRefusal(
            `\`${env.name}\` has a rollout in progress (\`${env.spec.candidate}\`); finish it with \`/promote\` or \`/abort\`, or add \`--force\` (needs \`${env.spec.permissions.force}\`).`,
          );
        }
        if (!meetsLevel(level, env.spec.permissions.force)) {
          throw new BotRefusal(
            `\`--force\` needs \`${env.spec.permissions.force}\` permission; @${request.commenter} has \`${level}\`. Nothing was changed.`,
          );
        }
      }
      const strategy = command.strategy ?? config.default_strategy;
      const result = await requestDeploy(ctx, env, {
        ref,
        strategy,
        requester: `@${request.commenter} in #${request.issueNumber}`,
        marker,
        cardSummary: request.cardSummary ? await request.cardSummary(ref) : undefined,
      });
      return describeResult(result, `Deploy of \`${ref}\` to **${env.name}**`);
    }
    case "promote": {
      const env = await envOf(command.environment);
      await requireLevel(request, env.spec.permissions.deploy, `promoting in \`${env.name}\``);
      return describeResult(
        await requestPromote(ctx, env, `@${request.commenter}`),
        `Promotion in **${env.name}**`,
      );
    }
    case "abort": {
      const env = await envOf(command.environment);
      await requireLevel(request, env.spec.permissions.deploy, `aborting in \`${env.name}\``);
      if (!env.spec.candidate) throw new BotRefusal(`\`${env.name}\` has no rollout in progress to abort`);
      const result = await requestRollback(ctx, env, {
        badDigest: digestOfRef(env.spec.candidate),
        requester: `@${request.commenter}`,
        branch: undefined,
        details: `Aborted by @${request.commenter} in #${request.issueNumber}.`,
        kind: "abort",
      });
      return describeResult(result, `Abort in **${env.name}**`);
    }
    case "undo":
      return undoAutomatedAction(request, envOf);
    case "rollback": {
      const env = await envOf(command.environment);
      await requireLevel(request, env.spec.permissions.rollback, `rolling back \`${env.name}\``);
      const result = await requestRollback(ctx, env, {
        badDigest: undefined,
        requester: `@${request.commenter}`,
        branch: undefined,
        details: `Rolled back by @${request.commenter} in #${request.issueNumber}.`,
        kind: "rollback",
      });
      return describeResult(result, `Rollback of **${env.name}**`);
    }
  }
}

const AUTOMATED_BRANCH = /^meta-controller\/rollback\/([a-z0-9][a-z0-9-]*)\//;

/**
 * `/undo` on a rollback PR the bot opened for an incident: a person's
 * verdict that the automated action was wrong. It is logged as a revert
 * (the engine's largest penalty), and an unmerged PR is closed; a merged
 * one is left for a person to roll forward, since its model is quarantined.
 */
async function undoAutomatedAction(
  request: CommandRequest,
  envOf: (name: string | undefined) => Promise<LoadedEnvironment>,
): Promise<string> {
  if (!request.isPullRequest)
    throw new BotRefusal("`/undo` works on a rollback PR that Meta-Controller opened for an incident");
  const pr = await request.ports.pulls.get(request.issueNumber);
  const branch = AUTOMATED_BRANCH.exec(pr.headRef);
  const marker = findIncidentMarker(pr.body);
  if (!branch || marker === undefined)
    throw new BotRefusal(
      `#${pr.number} is not a rollback Meta-Controller opened for an incident; there is nothing to undo`,
    );
  const env = await envOf(branch[1]);
  await requireLevel(request, env.spec.permissions.rollback, `undoing a rollback in \`${env.name}\``);
  if (!request.recordOutcome)
    throw new BotRefusal("the bot runs without the decision engine, so there is no decision to correct");
  await request.recordOutcome({
    fingerprint: marker.fingerprint,
    event: "human_revert",
    detail: "undo_command",
    ...(marker.decisionId === undefined ? {} : { decisionId: marker.decisionId }),
  });
  // The fingerprint came from an alert: it is outside text, rendered inert.
  const fingerprint = sanitizeForGitHub(marker.fingerprint, { allowedHosts: [], maxLength: 200 });
  if (pr.state === "open") {
    await request.ports.pulls.close(pr.number);
    return `Closed #${pr.number} unmerged and logged that rolling back for incident ${fingerprint} was wrong.`;
  }
  return [
    `Logged that rolling back for incident ${fingerprint} was wrong.`,
    pr.merged
      ? `#${pr.number} is already merged and its model quarantined; to serve it again, remove it from \`quarantine\` in \`${env.path}\` and \`/deploy\` it.`
      : `#${pr.number} was already closed.`,
  ].join(" ");
}

/** Runs a command and returns the reply; refusals and failures become text. */
export async function handleCommand(request: CommandRequest): Promise<string> {
  try {
    if (request.isPullRequest) {
      const pr = await request.ports.pulls.get(request.issueNumber);
      if (pr.headRepo !== pr.baseRepo) {
        return `Commands are refused on pull requests from forks (\`${pr.headRepo ?? "deleted fork"}\`). Nothing was changed.`;
      }
    }
    const baseBranch = await request.ports.contents.defaultBranch();
    const config = await loadBotConfig(request.ports.contents, baseBranch);
    return await runCommand(request, config, baseBranch);
  } catch (error) {
    if (
      error instanceof BotRefusal ||
      error instanceof EnvironmentEditError ||
      error instanceof ConfigError
    ) {
      return `Refused: ${error.message}`;
    }
    if (error instanceof GitHubApiError) {
      request.log.error({ err: error }, "GitHub API call failed while handling a command");
      return `Failed: ${error.message}`;
    }
    request.log.error({ err: error }, "command failed");
    return "Failed: an internal error occurred; it is in the bot's log.";
  }
}
