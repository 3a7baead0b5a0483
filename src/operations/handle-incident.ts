/**
 * Incident handling, the run flow's answer to an alert: build the incident
 * from the notice and the environment file, ask the policy, narrow its
 * proposal to the action really taken, act — a rollback or abort PR, a
 * diagnosis comment, a retrain dispatch — and record that action in the
 * decision log. A resolved notice records the incident's outcome instead.
 */
import type { Incident } from "../decision/incident.js";
import type { PolicyContext, PolicyDecision } from "../decision/incident-policy.js";
import type { AlertNotice } from "./alert-notice.js";
import { buildIncident } from "./build-incident.js";
import type { EnvironmentFile } from "./desired-state.js";
import { loadEnvironment } from "./environment-files.js";
import type { IncidentDeps, IncidentResult } from "./incident-deps.js";
import { markerTrust } from "../github/marker-trust.js";
import { incidentMarker, rollbackBranch } from "./incident-markers.js";
import { postDiagnosis, postHold, postLogProblem, renderIncident } from "./incident-posts.js";
import {
  openRepositoryContext,
  resolveEnvironmentName,
  type RepositoryContext,
} from "./repository-context.js";
import { handleResolvedNotice } from "./resolved-notice.js";
import { sanitizeUntrusted } from "./incident-summary.js";
import { rollBack } from "./rollback.js";

export type { IncidentDeps, IncidentResult } from "./incident-deps.js";

/**
 * The action really taken for a proposal: a firing alert is never dropped
 * in silence (a proposed `ignore` becomes a visible note saying why nothing
 * changes), retraining is only ever proposed (a person starts it), and with
 * `rollback.automatic: false` a rollback or abort becomes a notice asking a
 * person to act.
 */
export function decideTakenAction(decision: PolicyDecision, env: EnvironmentFile): PolicyDecision {
  if (decision.action === "ignore") {
    // No silent drop: a firing alert that reached the policy is not a duplicate
    // (the intake drops those) nor resolved, so people see why nothing changed.
    return {
      ...decision,
      action: "notify",
      explanation: `Nothing changes: ${decision.explanation}.`,
    };
  }
  if (decision.action === "retrain" && decision.requiresHuman) {
    return {
      ...decision,
      action: "notify",
      explanation: `${decision.explanation} Retraining is proposed; a person starts it with \`/retrain\`.`,
    };
  }
  const automated = decision.action === "rollback" || decision.action === "abort_canary";
  if (automated && !env.spec.rollback.automatic) {
    return {
      ...decision,
      action: "notify",
      explanation: `${decision.explanation}; automatic rollback is off in \`${env.name}\`, so a person must act (\`/rollback ${env.name}\`)`,
    };
  }
  return decision;
}

/** The actions that edit the environment file, and so must run in the environment's turn. */
const EDITS_ENVIRONMENT: ReadonlySet<PolicyDecision["action"]> = new Set(["rollback", "abort_canary"]);

interface Acted {
  readonly link: string | undefined;
  readonly detail: string;
}

async function takeRollback(
  repo: RepositoryContext,
  env: EnvironmentFile,
  incident: Incident,
  decision: PolicyDecision,
  lastGood: string | null | undefined,
  resume: boolean,
): Promise<Acted> {
  const serving = incident.digests.serving ?? undefined;
  const bad = decision.action === "abort_canary" ? (incident.digests.candidate ?? serving) : serving;
  // Rolling back a bad candidate is an abort, whatever the policy called it.
  const isAbort = bad !== undefined && bad === incident.digests.candidate;
  const result = await rollBack(
    { state: repo.state, requester: `alert ${sanitizeUntrusted(incident.fingerprint, 100)}` },
    env,
    {
      badDigest: bad,
      branch: rollbackBranch(env.name, incident.fingerprint, incident.started_at),
      details: `${renderIncident(incident, decision)}\n\n${incidentMarker(incident.fingerprint, decision.decisionId, markerTrust()?.key)}`,
      kind: isAbort ? "abort" : "rollback",
      ...(lastGood === undefined ? {} : { lastGood }),
      ...(resume ? { resume } : {}),
    },
  );
  if (result.status === "opened")
    return { link: result.pr.url, detail: `opened #${result.pr.number} (${result.merge})` };
  if (result.status === "duplicate") return { link: result.pr?.url, detail: `duplicate of ${result.branch}` };
  return { link: undefined, detail: `wrote ${result.path}` };
}

async function act(
  repo: RepositoryContext,
  env: EnvironmentFile,
  incident: Incident,
  decision: PolicyDecision,
  lastGood: string | null | undefined,
  resume = false,
): Promise<Acted> {
  switch (decision.action) {
    case "rollback":
    case "abort_canary":
      return takeRollback(repo, env, incident, decision, lastGood, resume);
    case "notify": {
      const link = await postDiagnosis(repo.ports, env, incident, decision, issueLabel(repo));
      return { link, detail: "diagnosis posted" };
    }
    case "retrain":
      await repo.ports.workflows.dispatch(repo.config.retrain_workflow, repo.baseBranch, {});
      return { link: undefined, detail: `dispatched ${repo.config.retrain_workflow}` };
    case "ignore":
      return { link: undefined, detail: "ignored" };
  }
}

function issueLabel(repo: RepositoryContext): string {
  return repo.config.labels[0] ?? "meta-controller";
}

/** Posts what people must know besides the action: a guardrail's hold, a decision-log failure. */
async function postSideNotes(
  repo: RepositoryContext,
  env: EnvironmentFile,
  incident: Incident,
  decision: PolicyDecision,
  logProblems: readonly string[],
): Promise<string[]> {
  const notes: string[] = [];
  if (decision.hold !== undefined) {
    const held = await postHold(repo.ports, env, incident, decision.hold, issueLabel(repo));
    notes.push(`held back by ${decision.hold.guardrail} (${held})`);
  }
  if (logProblems.length > 0) {
    const noted = await postLogProblem(repo.ports, env, incident, logProblems.join(" "), issueLabel(repo));
    notes.push(`decision log problem noted (${noted})`);
  }
  return notes;
}

/**
 * The PR an earlier delivery of this incident already opened (a replay
 * after a restart, another replica): its branch name is deterministic.
 */
async function findAnsweringPull(repo: RepositoryContext, env: EnvironmentFile, incident: Incident) {
  return repo.ports.pulls.findLatestByHead(
    rollbackBranch(env.name, incident.fingerprint, incident.started_at),
  );
}

/** Records the decision and posts the side notes; returns the notes for the result. */
async function recordIncident(
  deps: IncidentDeps,
  repo: RepositoryContext,
  env: EnvironmentFile,
  incident: Incident,
  taken: {
    decision: PolicyDecision;
    context: PolicyContext;
    acted: Acted;
    recorded: Promise<string | undefined>;
  },
): Promise<string> {
  const { decision, acted } = taken;
  const unwritten = await taken.recorded;
  const problems = [decision.logProblem, unwritten].filter((p): p is string => p !== undefined);
  const notes = await postSideNotes(repo, env, incident, decision, problems);
  const detail = [acted.detail, ...notes].join("; ");
  deps.log.info(
    {
      environment: env.name,
      fingerprint: incident.fingerprint,
      action: decision.action,
      reason: decision.reason_code,
      detail,
    },
    "incident handled",
  );
  return detail;
}

async function handleFiringNotice(
  deps: IncidentDeps,
  repo: RepositoryContext,
  notice: AlertNotice,
  environment: string,
): Promise<IncidentResult> {
  const env = await loadEnvironment(repo.state, environment);
  const { incident, lastGood } = await buildIncident(repo.state, env, notice, deps.memory, deps.now());
  const answered = await findAnsweringPull(repo, env, incident);
  if (answered !== undefined) {
    const detail = `already answered by #${answered.number}`;
    deps.log.info({ environment: env.name, fingerprint: incident.fingerprint, detail }, "incident handled");
    return { decision: undefined, link: answered.url, detail };
  }
  const context: PolicyContext = {
    now: deps.now(),
    environment: env.spec,
    allowedHosts: repo.config.allowed_link_hosts,
    ...(deps.decisionLog === undefined ? {} : { decisionLog: deps.decisionLog }),
  };
  const decision = decideTakenAction(await deps.policy.decide(incident, context), env);
  // Logged before acting, as the action taken: a person may judge the PR (close it, 👎) the moment it
  // exists. When the caller defers records, the line is only started here; its write follows the action's.
  const recorded = deps.policy.recordDecision?.(decision, context) ?? Promise.resolve(undefined);
  if (deps.defer === undefined) await recorded;
  else recorded.catch(() => undefined);
  const { defer } = deps;
  if (defer !== undefined && !EDITS_ENVIRONMENT.has(decision.action)) {
    // A comment or a dispatch does not touch the environment file: it need not hold the environment's turn.
    defer(async () => {
      const acted = await act(repo, env, incident, decision, lastGood);
      deps.memory.remember({ repository: repo.repository, incident, decision, link: acted.link });
      await recordIncident(deps, repo, env, incident, { decision, context, acted, recorded });
    });
    return { decision, link: undefined, detail: `${decision.action} deferred` };
  }
  const acted = await act(repo, env, incident, decision, lastGood, deps.replayed === true);
  deps.memory.remember({ repository: repo.repository, incident, decision, link: acted.link });
  const taken = { decision, context, acted, recorded };
  if (defer !== undefined) {
    defer(async () => void (await recordIncident(deps, repo, env, incident, taken)));
    return { decision, link: acted.link, detail: acted.detail };
  }
  const detail = await recordIncident(deps, repo, env, incident, taken);
  return { decision, link: acted.link, detail };
}

/**
 * Handles one notice for one repository. `environment` is the key the
 * notice was queued under, resolved once by the caller; resolved here
 * from the repository's default when absent.
 */
export async function handleNotice(
  deps: IncidentDeps,
  notice: AlertNotice,
  environment?: string,
): Promise<IncidentResult> {
  const repo = await openRepositoryContext(deps.ports);
  const name = environment ?? resolveEnvironmentName(notice.environment, repo.config);
  return notice.status === "resolved"
    ? handleResolvedNotice(deps, repo, notice, name)
    : handleFiringNotice(deps, repo, notice, name);
}
