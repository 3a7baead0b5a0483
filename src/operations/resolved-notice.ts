/**
 * A resolved alert closes its incident: the outcome goes to the decision
 * log (naming the decision when this process remembers it) and to the
 * outcome sink, and a 👎 on the incident's rollback PR counts as a
 * person's revert.
 */
import { meetsLevel } from "../config/environment.js";
import type { AlertNotice } from "./alert-notice.js";
import { toIso } from "./build-incident.js";
import type { EnvironmentFile } from "./desired-state.js";
import { loadEnvironment } from "./environment-files.js";
import type { IncidentDeps, IncidentResult } from "./incident-deps.js";
import { findOwnIncidentMarker, rollbackBranch } from "./incident-markers.js";
import type { RepositoryContext } from "./repository-context.js";

/**
 * GitHub sends no webhook for reactions, so a 👎 on the incident's rollback
 * PR is read when the incident closes, and logged as a person's revert —
 * only from someone the environment lets roll back, never from a bot.
 */
async function recordThumbsDown(
  deps: IncidentDeps,
  env: EnvironmentFile,
  notice: AlertNotice,
): Promise<void> {
  const branch = rollbackBranch(env.name, notice.fingerprint, toIso(notice.startsAt, deps.now()));
  const pr = await deps.ports.pulls.findLatestByHead(branch);
  if (pr === undefined) return;
  // Only the bot's own PR, with a marker under its seal, may name the decision.
  const marker = await findOwnIncidentMarker(pr);
  const reactions = await deps.ports.comments.reactionsOf(pr.number);
  const voters = new Set(
    reactions.filter((r) => r.content === "-1" && !r.user.endsWith("[bot]")).map((r) => r.user),
  );
  let counted = false;
  for (const user of voters) {
    if (meetsLevel(await deps.ports.permissions.levelOf(user), env.spec.permissions.rollback)) {
      counted = true;
      break;
    }
  }
  if (!counted) return;
  await deps.policy.recordOutcome?.(
    {
      fingerprint: marker?.fingerprint ?? notice.fingerprint,
      at: deps.now(),
      event: "human_revert",
      detail: "thumbs_down",
      ...(marker?.decisionId === undefined ? {} : { decisionId: marker.decisionId }),
    },
    deps.decisionLog,
  );
}

/** Records the outcome of a resolved alert. */
export async function handleResolvedNotice(
  deps: IncidentDeps,
  repo: RepositoryContext,
  notice: AlertNotice,
  environment: string,
): Promise<IncidentResult> {
  const remembered = deps.memory.find(
    repo.repository,
    notice.fingerprint,
    toIso(notice.startsAt, deps.now()),
  );
  if (deps.policy.recordOutcome) {
    let env: EnvironmentFile | undefined;
    try {
      env = await loadEnvironment(repo.state, environment);
    } catch (error) {
      deps.log.warn({ err: error, environment }, "no environment to check 👎 reactions against");
    }
    if (env !== undefined) await recordThumbsDown(deps, env, notice);
    const decisionId = remembered?.decision.decisionId;
    await deps.policy.recordOutcome(
      {
        fingerprint: notice.fingerprint,
        at: deps.now(),
        event: "resolved",
        ...(decisionId === undefined ? {} : { decisionId }),
      },
      deps.decisionLog,
    );
  }
  await deps.outcomes({
    repository: repo.repository,
    environment,
    fingerprint: notice.fingerprint,
    started_at: notice.startsAt,
    resolved_at: notice.endsAt && Date.parse(notice.endsAt) > 0 ? notice.endsAt : deps.now().toISOString(),
    action: remembered?.decision.action ?? null,
    reason_code: remembered?.decision.reason_code ?? null,
  });
  return { decision: remembered?.decision, link: remembered?.link, detail: "outcome recorded" };
}
