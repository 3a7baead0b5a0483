/**
 * Whether a pull request closed unmerged is a person's verdict on one of the
 * bot's automated rollbacks, and so a revert for the decision log. Anyone
 * can open a PR with the bot's branch name and marker from a fork, so the
 * marker alone proves nothing: the PR must come from this repository and
 * the bot's own account, name a decision the log holds for the same
 * incident and environment, and be closed by someone allowed to roll back.
 */
import type { Logger } from "../common/logger.js";
import type { DecisionLogStore } from "../decision/decision-log-store.js";
import type { RepoPorts } from "../github/ports.js";
import { meetsLevel } from "../config/environment.js";
import { loadEnvironment } from "../operations/environment-files.js";
import {
  AUTOMATED_ROLLBACK_BRANCH,
  findOwnIncidentMarker,
  type IncidentMarker,
} from "../operations/incident-markers.js";
import { openRepositoryContext } from "../operations/repository-context.js";

/** The parts of the webhook this check reads. */
export interface ClosedPullRequest {
  /** `owner/name` of the repository the webhook is for. */
  readonly repository: string;
  readonly headRef: string;
  /** `owner/name` of the head repository; null when the fork was deleted. */
  readonly headRepo: string | null;
  readonly body: string;
  readonly merged: boolean;
  readonly author: { readonly login: string; readonly type: string };
  readonly closer: { readonly login: string; readonly type: string };
}

/** A revert to log: the marker's incident and decision. */
export type ClosedRevert = Required<IncidentMarker>;

/**
 * The revert a closed PR stands for, or undefined (with the reason logged)
 * when it is not one a person with the right may claim.
 */
export async function findClosedRevert(
  ports: RepoPorts,
  store: DecisionLogStore | undefined,
  pr: ClosedPullRequest,
  log: Logger,
): Promise<ClosedRevert | undefined> {
  const skip = (why: string): undefined => {
    log.info({ branch: pr.headRef, closer: pr.closer.login }, `closed PR not logged as a revert: ${why}`);
    return undefined;
  };
  if (pr.merged) return undefined;
  const branch = AUTOMATED_ROLLBACK_BRANCH.exec(pr.headRef);
  if (!branch) return undefined;
  // The bot's own PR, under its seal: anyone can open a PR with the bot's branch name and a copied marker.
  const marker: IncidentMarker | undefined = await findOwnIncidentMarker({
    author: pr.author.login,
    body: pr.body,
  });
  if (marker === undefined) return skip("no sealed marker of the bot's own");
  // The bot closing its own PR after `/undo` was logged by the command already.
  if (pr.closer.type === "Bot") return skip("closed by a bot");
  if (pr.headRepo !== pr.repository) return skip(`head is in ${pr.headRepo ?? "a deleted fork"}`);
  if (pr.author.type !== "Bot") return skip(`opened by ${pr.author.login}, not by the bot`);
  if (marker.decisionId === undefined) return skip("its marker names no decision");
  if (store === undefined) return skip("no decision log to check the decision against");
  let records;
  try {
    records = await store.load();
  } catch (error) {
    log.warn({ err: error }, "decision log unreadable; a closed rollback PR could not be checked");
    return undefined;
  }
  const environment = branch[1]!;
  const logged = records.some(
    (r) =>
      r.type === "decision" &&
      r.id === marker.decisionId &&
      r.fingerprint === marker.fingerprint &&
      r.environment === environment,
  );
  if (!logged) return skip(`decision ${marker.decisionId} is not in the log for this incident`);
  const env = await loadEnvironment((await openRepositoryContext(ports)).state, environment);
  const level = await ports.permissions.levelOf(pr.closer.login);
  if (!meetsLevel(level, env.spec.permissions.rollback)) {
    return skip(
      `${pr.closer.login} has ${level}; rolling back ${env.name} needs ${env.spec.permissions.rollback}`,
    );
  }
  return { fingerprint: marker.fingerprint, decisionId: marker.decisionId };
}
