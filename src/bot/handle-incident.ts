/**
 * Handles one alert notice in the background: builds the incident from the
 * notice and the environment file, asks the policy, and acts — a rollback
 * PR, a diagnosis comment, a retrain dispatch — or records the outcome of a
 * resolved alert.
 */
import { createHash } from "node:crypto";
import type { Logger } from "../common/logger.js";
import type { DecisionLogStore } from "../decision/decision-log-store.js";
import { normalizeFingerprint } from "../decision/decision-log.js";
import { sanitizeForGitHub } from "../decision/sanitize.js";
import type { GuardrailHold } from "../decision/guardrails.js";
import { Incident, type EvidenceItem } from "../decision/incident.js";
import { digestOfRef } from "../deploy/environment-edits.js";
import type { RepoPorts } from "../github/ports.js";
import { upsertStickyComment } from "../github/sticky-comment.js";
import type { AlertNotice } from "./alert-payloads.js";
import type { IncidentMemory, OutcomeSink } from "./incident-memory.js";
import type { IncidentPolicy, PolicyDecision } from "./incident-policy.js";
import { meetsLevel } from "./authorize.js";
import { findLastGood, requestRollback, type OperationContext } from "./operations.js";
import { renderDiagnosis } from "./render.js";
import { loadBotConfig, loadEnvironment, type LoadedEnvironment } from "./repository-files.js";

/** What the handler needs. */
export interface IncidentDeps {
  readonly ports: RepoPorts;
  /** The repository's decision log, when the bot keeps it there. */
  readonly decisionLog?: DecisionLogStore;
  readonly policy: IncidentPolicy;
  readonly memory: IncidentMemory;
  readonly outcomes: OutcomeSink;
  readonly now: () => Date;
  readonly log: Logger;
}

/** What was done, for logs and tests. */
export interface IncidentResult {
  readonly decision: PolicyDecision | undefined;
  readonly link: string | undefined;
  readonly detail: string;
}

const INCIDENT_MARKER =
  /<!-- meta-controller:incident fingerprint=(\S+)(?: decision=([A-Za-z0-9_-]{1,200}))? -->/;

/**
 * The hidden line a rollback PR carries so its outcome finds the incident
 * and the very decision that opened it (a re-fired incident has several).
 */
export function incidentMarker(fingerprint: string, decisionId?: string): string {
  const decision = decisionId === undefined ? "" : ` decision=${decisionId}`;
  return `<!-- meta-controller:incident fingerprint=${encodeURIComponent(fingerprint)}${decision} -->`;
}

/** What a rollback PR's marker names. */
export interface IncidentMarker {
  /** Cut to the decision log's limit, so the outcome is never refused for its length. */
  readonly fingerprint: string;
  readonly decisionId?: string;
}

/** The incident (and decision) a PR body answers, if it carries the marker. */
export function findIncidentMarker(body: string): IncidentMarker | undefined {
  const match = INCIDENT_MARKER.exec(body);
  if (!match) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(match[1]!);
  } catch {
    return undefined;
  }
  const fingerprint = normalizeFingerprint(decoded);
  if (fingerprint === undefined) return undefined;
  return match[2] === undefined ? { fingerprint } : { fingerprint, decisionId: match[2] };
}

/** Short, stable key of an incident: the rollback branch is named after it. */
export function incidentKey(fingerprint: string, startsAt: string): string {
  return createHash("sha256").update(`${fingerprint}\n${startsAt}`).digest("hex").slice(0, 12);
}

/** Branch of an incident's rollback, the same on every replica. */
export function rollbackBranch(environment: string, fingerprint: string, startsAt: string): string {
  return `meta-controller/rollback/${environment}/${incidentKey(fingerprint, startsAt)}`;
}

function uniqueEvidence(notice: AlertNotice): EvidenceItem[] {
  const seen = new Set<string>();
  const items: EvidenceItem[] = [];
  for (const item of notice.evidence) {
    let id = item.id;
    for (let n = 2; seen.has(id); n++) id = `${item.id.slice(0, 60)}~${n}`;
    seen.add(id);
    items.push({ ...item, id });
  }
  if (notice.truncated > 0) {
    items.push({
      id: "truncated",
      kind: "annotation",
      text: `${notice.truncated} more alerts of this group were truncated by the sender`,
    });
  }
  items.unshift({ id: "alertname", kind: "label", text: notice.alertName.slice(0, 200) });
  return items.slice(0, 200);
}

function toIso(text: string, fallback: Date): string {
  const t = Date.parse(text);
  return Number.isFinite(t) ? new Date(t).toISOString() : fallback.toISOString();
}

async function buildIncident(
  deps: IncidentDeps,
  ctx: OperationContext,
  env: LoadedEnvironment,
  notice: AlertNotice,
): Promise<{ incident: Incident; lastGood: string | null | undefined }> {
  const stable = digestOfRef(env.spec.stable) ?? null;
  const candidate = digestOfRef(env.spec.candidate) ?? null;
  const bad = notice.badDigest ?? candidate ?? stable;
  // The newest commit of the environment file is the last deploy, promote or
  // rollback that reached the default branch.
  const latest = (await ctx.ports.contents.history(env.path, ctx.baseBranch, 1))[0];
  const deployedAt = latest?.date === undefined ? Number.NaN : Date.parse(latest.date);
  const secondsSinceDeploy = Number.isFinite(deployedAt)
    ? Math.max(0, (deps.now().getTime() - deployedAt) / 1000)
    : null;
  let stableAvailable = stable !== null && stable !== bad;
  let lastGood: string | null | undefined;
  if (!stableAvailable && bad !== null && bad === stable) {
    lastGood = await findLastGood(ctx.ports, env, ctx.baseBranch, bad);
    stableAvailable = lastGood !== null;
  }
  const incident = Incident.parse({
    environment: env.name,
    model: notice.model ?? env.spec.model,
    kind: notice.kind,
    severity: notice.severity,
    fingerprint: notice.fingerprint.slice(0, 200),
    started_at: toIso(notice.startsAt, deps.now()),
    evidence: uniqueEvidence(notice),
    seconds_since_deploy: secondsSinceDeploy,
    canary_state: notice.kind === "rollout_aborted" ? "aborted" : candidate ? "progressing" : "none",
    stable_available: stableAvailable,
    flap_count: deps.memory.countFiring(notice.fingerprint, deps.now().getTime()),
    // `stable` is the rollback target: when the stable itself is bad, that is
    // the last good one from the file's history.
    digests: {
      serving: bad,
      stable: bad !== null && bad === stable ? (digestOfRef(lastGood) ?? null) : stable,
      candidate,
    },
  });
  return { incident, lastGood };
}

/** Our summary table, then the policy's own diagnosis when it wrote one. */
function renderIncident(incident: Incident, decision: PolicyDecision): string {
  const summary = renderDiagnosis(incident, decision);
  return decision.markdown ? `${summary}\n\n${decision.markdown}` : summary;
}

/** The PR that deployed the digest now serving, found through the Deployments API. */
async function findDeployingPull(
  ports: RepoPorts,
  environment: string,
  digest: string | null,
): Promise<number | undefined> {
  if (digest === null) return undefined;
  for (const deployment of await ports.deployments.list(environment, 20)) {
    const ref = deployment.payload.model_ref;
    const pr = deployment.payload.pull_request;
    if (
      typeof ref === "string" &&
      digestOfRef(ref) === digest &&
      typeof pr === "number" &&
      deployment.payload.kind !== "rollback"
    ) {
      return pr;
    }
  }
  return undefined;
}

async function postDiagnosis(
  ports: RepoPorts,
  env: LoadedEnvironment,
  incident: Incident,
  decision: PolicyDecision,
  label: string,
): Promise<string> {
  const body = renderIncident(incident, decision);
  const target =
    (await findDeployingPull(ports, env.name, incident.digests.serving)) ??
    (await trackingIssue(ports, env, label));
  const comment = await upsertStickyComment(ports.comments, target, `diagnosis:${env.name}`, body);
  return comment.url;
}

/** The environment's tracking issue ("Meta-Controller incidents: <env>"), opened on first use. */
function trackingIssue(ports: RepoPorts, env: LoadedEnvironment, label: string) {
  return ports.comments.findOrCreateIssue(
    `Meta-Controller incidents: ${env.name}`,
    label,
    `Diagnoses of incidents in \`${env.name}\` are kept up to date here.`,
  );
}

const GUARDRAIL_NAMES: Readonly<Record<GuardrailHold["guardrail"], string>> = {
  cooldown: "cooldown",
  rate_limited: "rate limit",
  freeze_window: "freeze window",
};

/** The sentence on the tracking issue when a guardrail held back an automated action. */
export function renderHold(environment: string, incident: Incident, hold: GuardrailHold): string {
  const name = GUARDRAIL_NAMES[hold.guardrail];
  const lifts =
    hold.liftsAt === null
      ? "It lifts when the environment's policy allows again."
      : `It lifts at ${hold.liftsAt.toISOString()}.`;
  return [
    `**Held back by the ${name} guardrail (\`${hold.guardrail}\`)** in \`${environment}\`.`,
    "",
    `Incident ${sanitizeForGitHub(incident.fingerprint, { allowedHosts: [], maxLength: 200 })} (${incident.kind}, ${incident.severity}, started ${incident.started_at}) calls for an automated rollback or canary abort, but the ${name} allows none now. ${lifts}`,
    "",
    `A person can act before then: \`/rollback ${environment}\` or \`/abort ${environment}\`.`,
  ].join("\n");
}

async function postHold(
  ports: RepoPorts,
  env: LoadedEnvironment,
  incident: Incident,
  hold: GuardrailHold,
  label: string,
): Promise<string> {
  const issue = await trackingIssue(ports, env, label);
  // One comment per environment, updated in place: a flapping alert must not flood the issue.
  const comment = await upsertStickyComment(
    ports.comments,
    issue,
    `guardrail-hold:${env.name}`,
    renderHold(env.name, incident, hold),
  );
  return comment.url;
}

/**
 * GitHub sends no webhook for reactions, so a 👎 on the incident's rollback
 * PR is read when the incident closes, and logged as a person's revert —
 * only from someone the environment lets roll back, never from a bot.
 */
async function recordThumbsDown(
  deps: IncidentDeps,
  env: LoadedEnvironment,
  notice: AlertNotice,
): Promise<void> {
  const branch = rollbackBranch(env.name, notice.fingerprint, toIso(notice.startsAt, deps.now()));
  const pr = await deps.ports.pulls.findLatestByHead(branch);
  if (pr === undefined) return;
  const marker = findIncidentMarker(pr.body);
  const reactions = await deps.ports.comments.reactionsOf(pr.number);
  const voters = [
    ...new Set(reactions.filter((r) => r.content === "-1" && !r.user.endsWith("[bot]")).map((r) => r.user)),
  ];
  let counted: string | undefined;
  for (const user of voters) {
    if (meetsLevel(await deps.ports.permissions.levelOf(user), env.spec.permissions.rollback)) {
      counted = user;
      break;
    }
  }
  if (counted === undefined) return;
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

/** Says on the environment's tracking issue that the decision log failed, and what the bot did instead. */
async function postLogProblem(
  ports: RepoPorts,
  env: LoadedEnvironment,
  incident: Incident,
  problem: string,
  label: string,
): Promise<string> {
  const issue = await trackingIssue(ports, env, label);
  const fingerprint = sanitizeForGitHub(incident.fingerprint, { allowedHosts: [], maxLength: 200 });
  const body = [
    `**The decision log failed** while handling incident ${fingerprint} in \`${env.name}\`.`,
    "",
    problem,
    "",
    "The safety action was taken all the same.",
  ].join("\n");
  const comment = await upsertStickyComment(ports.comments, issue, `decision-log:${env.name}`, body);
  return comment.url;
}

/** Handles one notice for one repository. */
export async function handleNotice(deps: IncidentDeps, notice: AlertNotice): Promise<IncidentResult> {
  const { ports } = deps;
  const repository = `${ports.repo.owner}/${ports.repo.repo}`;
  const baseBranch = await ports.contents.defaultBranch();
  const config = await loadBotConfig(ports.contents, baseBranch);
  const envName = notice.environment ?? config.default_environment;

  if (notice.status === "resolved") {
    const remembered = deps.memory.find(repository, notice.fingerprint, toIso(notice.startsAt, deps.now()));
    if (deps.policy.recordOutcome) {
      let env: LoadedEnvironment | undefined;
      try {
        env = await loadEnvironment(ports.contents, config, envName, baseBranch);
      } catch (error) {
        deps.log.warn({ err: error, environment: envName }, "no environment to check 👎 reactions against");
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
      repository,
      environment: envName,
      fingerprint: notice.fingerprint,
      started_at: notice.startsAt,
      resolved_at: notice.endsAt && Date.parse(notice.endsAt) > 0 ? notice.endsAt : deps.now().toISOString(),
      action: remembered?.decision.action ?? null,
      reason_code: remembered?.decision.reason_code ?? null,
    });
    return { decision: remembered?.decision, link: remembered?.link, detail: "outcome recorded" };
  }

  const env = await loadEnvironment(ports.contents, config, envName, baseBranch);
  const ctx: OperationContext = { ports, config, baseBranch };
  const { incident, lastGood } = await buildIncident(deps, ctx, env, notice);
  let decision = await deps.policy.decide(incident, {
    now: deps.now(),
    environment: env.spec,
    allowedHosts: config.allowed_link_hosts,
    ...(deps.decisionLog === undefined ? {} : { decisionLog: deps.decisionLog }),
  });
  if (decision.action === "retrain" && decision.requiresHuman) {
    decision = {
      ...decision,
      action: "notify",
      explanation: `${decision.explanation} Retraining is proposed; a person starts it with \`/retrain\`.`,
    };
  }
  const automated = decision.action === "rollback" || decision.action === "abort_canary";
  if (automated && !env.spec.rollback.automatic) {
    decision = {
      action: "notify",
      reason_code: decision.reason_code,
      explanation: `${decision.explanation}; automatic rollback is off in \`${env.name}\`, so a person must act (\`/rollback ${env.name}\`)`,
    };
  }

  let link: string | undefined;
  let detail: string;
  switch (decision.action) {
    case "rollback":
    case "abort_canary": {
      const serving = incident.digests.serving ?? undefined;
      const bad = decision.action === "abort_canary" ? (incident.digests.candidate ?? serving) : serving;
      // Rolling back a bad candidate is an abort, whatever the policy called it.
      const isAbort = bad !== undefined && bad === incident.digests.candidate;
      const result = await requestRollback(ctx, env, {
        badDigest: bad,
        requester: `alert \`${incident.fingerprint}\``,
        branch: rollbackBranch(env.name, incident.fingerprint, incident.started_at),
        details: `${renderIncident(incident, decision)}\n\n${incidentMarker(incident.fingerprint, decision.decisionId)}`,
        kind: isAbort ? "abort" : "rollback",
        ...(lastGood === undefined ? {} : { lastGood }),
      });
      link = result.status === "opened" ? result.pr.url : result.pr?.url;
      detail =
        result.status === "opened"
          ? `opened #${result.pr.number} (${result.merge})`
          : `duplicate of ${result.branch}`;
      break;
    }
    case "notify":
      link = await postDiagnosis(ports, env, incident, decision, config.labels[0] ?? "meta-controller");
      detail = "diagnosis posted";
      break;
    case "retrain":
      await ports.workflows.dispatch(config.retrain_workflow, baseBranch, {});
      detail = `dispatched ${config.retrain_workflow}`;
      break;
    case "ignore":
      detail = "ignored";
      break;
  }
  if (decision.hold !== undefined) {
    const held = await postHold(ports, env, incident, decision.hold, config.labels[0] ?? "meta-controller");
    detail = `${detail}; held back by ${decision.hold.guardrail} (${held})`;
  }
  if (decision.logProblem !== undefined) {
    const noted = await postLogProblem(
      ports,
      env,
      incident,
      decision.logProblem,
      config.labels[0] ?? "meta-controller",
    );
    detail = `${detail}; decision log problem noted (${noted})`;
  }
  deps.memory.remember({ repository, incident, decision, link });
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
  return { decision, link, detail };
}
