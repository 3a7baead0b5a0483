/**
 * `/undo` on a rollback PR the bot opened for an incident: a person's
 * verdict that the automated action was wrong. It is logged as a revert
 * (the engine's largest penalty), and an unmerged PR is closed; a merged
 * one is left for a person to roll forward, since its model is quarantined.
 */
import { sanitizeForGitHub } from "../decision/sanitize.js";
import { OperationRefusal } from "../operations/environment-files.js";
import { AUTOMATED_ROLLBACK_BRANCH, findOwnIncidentMarker } from "../operations/incident-markers.js";
import { requireLevel, type CommandScope } from "./command-scope.js";

/** Runs `/undo`; returns the reply. */
export async function undoAutomatedAction(scope: CommandScope): Promise<string> {
  const { request } = scope;
  if (!request.isPullRequest)
    throw new OperationRefusal("`/undo` works on a rollback PR that Meta-Controller opened for an incident");
  const pr = await request.ports.pulls.get(request.issueNumber);
  const branch = AUTOMATED_ROLLBACK_BRANCH.exec(pr.headRef);
  // Only the bot's own PR, under its seal: an edited body or a copied marker names nothing.
  const marker = await findOwnIncidentMarker(pr);
  if (!branch || marker === undefined)
    throw new OperationRefusal(
      `#${pr.number} is not a rollback Meta-Controller opened for an incident; there is nothing to undo`,
    );
  const env = await scope.environment(branch[1]);
  await requireLevel(request, env.spec.permissions.rollback, `undoing a rollback in \`${env.name}\``);
  if (!request.recordOutcome)
    throw new OperationRefusal(
      "the bot runs without the decision engine, so there is no decision to correct",
    );
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
