/**
 * Turns one comment command into a reply: checks who asks and where, then
 * calls the run flow's use case. Every refusal is a sentence for the person
 * who asked.
 */
import { ConfigError, GitHubApiError } from "../common/errors.js";
import { sanitizeForGitHub } from "../common/sanitize-markdown.js";
import { meetsLevel } from "../config/environment.js";
import { EnvironmentEditError } from "../deploy/environment-edits.js";
import { findTrustedReportMarker } from "../github/report-marker.js";
import { deployModel, type ModelReportSummary } from "../operations/deploy.js";
import type { ModelCard } from "../registry/model-card-schema.js";
import type { ChangeResult } from "../operations/desired-state.js";
import { loadEnvironment, OperationRefusal } from "../operations/environment-files.js";
import { renderDiagnosis } from "../operations/incident-summary.js";
import type { OperationContext } from "../operations/operation-context.js";
import { promoteCandidate } from "../operations/promote.js";
import { openRepositoryContext, resolveEnvironmentName } from "../operations/repository-context.js";
import { abortRollout, rollBack } from "../operations/rollback.js";
import { renderHelp, type BotCommand } from "./commands.js";
import { requireLevel, type CommandRequest, type CommandScope } from "./command-scope.js";
import { undoAutomatedAction } from "./undo-command.js";

export type { CommandRequest } from "./command-scope.js";

function describeResult(result: ChangeResult, what: string): string {
  switch (result.status) {
    case "duplicate":
      return result.pr
        ? `${what}: #${result.pr.number} already does this (branch \`${result.branch}\`).`
        : `${what}: branch \`${result.branch}\` already exists, so another request is on it.`;
    case "written":
      return `${what}: wrote \`${result.path}\`.`;
    case "opened": {
      const merge =
        result.merge === "auto_merge"
          ? "Auto-merge is requested; it merges once the repository's rules are met."
          : result.merge === "merged"
            ? "It is merged."
            : `It is left for review: ${result.note}.`;
      return `${what}: opened #${result.pr.number}. ${merge}`;
    }
  }
}

function describePayload(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

function operationContext(scope: CommandScope, withIssue: boolean): OperationContext {
  const { request } = scope;
  const requester = withIssue ? `@${request.commenter} in #${request.issueNumber}` : `@${request.commenter}`;
  return { state: scope.repo.state, requester };
}

async function runStatus(scope: CommandScope, name: string | undefined): Promise<string> {
  await requireLevel(scope.request, scope.repo.config.commands.status, "`/status`");
  const env = await scope.environment(name);
  const latest = (await scope.repo.ports.deployments.list(env.name, 1))[0];
  const last = latest
    ? `${describePayload(latest.payload.kind, "deploy")} \`${describePayload(latest.payload.model_ref, latest.ref)}\``
    : "—";
  const quarantine =
    env.spec.quarantine.length === 0 ? "—" : env.spec.quarantine.map((d) => `\`${d}\``).join(", ");
  return [
    `**${env.name}** (\`${env.path}\`), model \`${env.spec.model}\``,
    "",
    "| | |",
    "| --- | --- |",
    `| stable | ${env.spec.stable ? `\`${env.spec.stable}\`` : "—"} |`,
    `| candidate | ${env.spec.candidate ? `\`${env.spec.candidate}\` (rollout in progress)` : "—"} |`,
    `| strategy | ${env.spec.strategy.type} |`,
    `| quarantined | ${quarantine} |`,
    `| last deployment | ${last} |`,
  ].join("\n");
}

async function runDiagnose(scope: CommandScope, name: string | undefined): Promise<string> {
  await requireLevel(scope.request, scope.repo.config.commands.diagnose, "`/diagnose`");
  const env = await scope.environment(name);
  const latest = scope.request.memory.latest(scope.repo.repository, env.name);
  if (!latest) return `No incident has been reported for **${env.name}** since the bot started.`;
  return renderDiagnosis(latest.incident, latest.decision);
}

async function runRetrain(scope: CommandScope, pipeline: string | undefined): Promise<string> {
  const { config, baseBranch, ports } = scope.repo;
  await requireLevel(scope.request, config.commands.retrain, "`/retrain`");
  await ports.workflows.dispatch(
    config.retrain_workflow,
    baseBranch,
    pipeline === undefined ? {} : { pipeline },
  );
  return `Started \`${config.retrain_workflow}\` on \`${baseBranch}\`${pipeline ? ` for pipeline \`${pipeline}\`` : ""}.`;
}

/**
 * The model of the PR's latest report, for a bare `/deploy`: only a marker
 * the Action's identity wrote counts, and only for a model the registry
 * holds (pushed after its gates passed); what the PR then shows comes from
 * the registry's card, not from the marker.
 */
async function modelFromReport(request: CommandRequest): Promise<VerifiedReport | undefined> {
  if (!request.isPullRequest) return undefined;
  const comments = await request.ports.comments.list(request.issueNumber);
  const marker = findTrustedReportMarker(comments, request.reportAuthors);
  if (marker === undefined) return undefined;
  if (request.modelCards === undefined) {
    throw new OperationRefusal(
      `the report names \`${marker.ref}\`, but no model registry is configured (\`MODEL_REGISTRY\`) to verify it; name the model: \`/deploy <strategy> ${marker.ref}\``,
    );
  }
  let card: ModelCard;
  try {
    card = await request.modelCards(marker.ref);
  } catch (error) {
    request.log.warn(
      { err: error, ref: marker.ref },
      "a reported model could not be verified in the registry",
    );
    throw new OperationRefusal(
      `the report's model \`${marker.ref}\` is not in the model registry (or could not be read from it), so it is not deployed. Nothing was changed.`,
    );
  }
  return {
    ref: marker.ref,
    summary: { pipeline: marker.pipeline, gatesPassed: true, metrics: card.metrics },
  };
}

/** A reported model the registry holds, and what its card says. */
interface VerifiedReport {
  readonly ref: string;
  readonly summary: ModelReportSummary;
}

async function runDeploy(
  scope: CommandScope,
  command: Extract<BotCommand, { name: "deploy" }>,
): Promise<string> {
  const { request } = scope;
  const env = await scope.environment(command.environment);
  const level = await requireLevel(request, env.spec.permissions.deploy, `deploying to \`${env.name}\``);
  const marker = command.ref === undefined ? await modelFromReport(request) : undefined;
  const ref = command.ref ?? marker?.ref;
  if (!ref) {
    throw new OperationRefusal(
      "no model to deploy: name one (`/deploy canary churn:v3@sha256:…`) or comment on a PR that has a Meta-Controller report",
    );
  }
  const force = command.force && env.spec.candidate !== null;
  if (force && !meetsLevel(level, env.spec.permissions.force)) {
    throw new OperationRefusal(
      `\`--force\` needs \`${env.spec.permissions.force}\` permission; @${request.commenter} has \`${level}\`. Nothing was changed.`,
    );
  }
  const result = await deployModel(operationContext(scope, true), env, {
    ref,
    strategy: command.strategy ?? scope.repo.config.default_strategy,
    force,
    report: marker?.summary,
    cardSummary: request.cardSummary ? await request.cardSummary(ref) : undefined,
  });
  return describeResult(result, `Deploy of \`${ref}\` to **${env.name}**`);
}

async function runPromote(scope: CommandScope, name: string | undefined): Promise<string> {
  const env = await scope.environment(name);
  await requireLevel(scope.request, env.spec.permissions.deploy, `promoting in \`${env.name}\``);
  return describeResult(
    await promoteCandidate(operationContext(scope, false), env),
    `Promotion in **${env.name}**`,
  );
}

async function runAbort(scope: CommandScope, name: string | undefined): Promise<string> {
  const { request } = scope;
  const env = await scope.environment(name);
  await requireLevel(request, env.spec.permissions.deploy, `aborting in \`${env.name}\``);
  const details = `Aborted by @${request.commenter} in #${request.issueNumber}.`;
  return describeResult(
    await abortRollout(operationContext(scope, false), env, details),
    `Abort in **${env.name}**`,
  );
}

async function runRollback(scope: CommandScope, name: string | undefined): Promise<string> {
  const { request } = scope;
  const env = await scope.environment(name);
  await requireLevel(request, env.spec.permissions.rollback, `rolling back \`${env.name}\``);
  const result = await rollBack(operationContext(scope, false), env, {
    details: `Rolled back by @${request.commenter} in #${request.issueNumber}.`,
    kind: "rollback",
  });
  return describeResult(result, `Rollback of **${env.name}**`);
}

/**
 * A parse error quotes the commenter's words in one code span, where nothing
 * renders; any other shape (a quoted word with a backtick of its own, which
 * would close the span early) goes through the one sanitiser whole.
 */
function renderReason(reason: string): string {
  const oneSpan = /^[^`\n]*`[^`\n]*`[^`\n]*$/.test(reason);
  return oneSpan ? reason : sanitizeForGitHub(reason, { allowedHosts: [], maxLength: 300 });
}

async function runCommand(scope: CommandScope): Promise<string> {
  const { command } = scope.request;
  switch (command.name) {
    case "help":
      await requireLevel(scope.request, scope.repo.config.commands.help, "`/help`");
      return renderHelp();
    case "unknown":
      return `I do not know \`/${command.word}\`.\n\n${renderHelp()}`;
    case "invalid":
      return `\`/${command.command}\`: ${renderReason(command.reason)}.\n\n${renderHelp()}`;
    case "status":
      return runStatus(scope, command.environment);
    case "diagnose":
      return runDiagnose(scope, command.environment);
    case "retrain":
      return runRetrain(scope, command.pipeline);
    case "deploy":
      return runDeploy(scope, command);
    case "promote":
      return runPromote(scope, command.environment);
    case "abort":
      return runAbort(scope, command.environment);
    case "undo":
      return undoAutomatedAction(scope);
    case "rollback":
      return runRollback(scope, command.environment);
  }
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
    const repo = await openRepositoryContext(request.ports);
    const environment = (name: string | undefined) =>
      loadEnvironment(repo.state, resolveEnvironmentName(name, repo.config));
    return await runCommand({ request, repo, environment });
  } catch (error) {
    if (
      error instanceof OperationRefusal ||
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
