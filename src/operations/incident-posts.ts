/**
 * What the bot writes about an incident besides a rollback: the diagnosis
 * (on the PR that deployed the serving digest, else the environment's
 * tracking issue), a guardrail's hold, and a decision-log failure. Each is
 * one comment per purpose, updated in place, so a flapping alert cannot
 * flood a thread.
 */
import { sanitizeForGitHub } from "../decision/sanitize.js";
import type { GuardrailHold } from "../decision/guardrails.js";
import type { Incident } from "../decision/incident.js";
import type { PolicyDecision } from "../decision/incident-policy.js";
import { digestOfRef } from "../deploy/environment-edits.js";
import type { RepoPorts } from "../github/ports.js";
import { markerTrust } from "../github/marker-trust.js";
import { upsertStickyComment, type StickyOwner } from "../github/sticky-comment.js";
import type { EnvironmentFile } from "./desired-state.js";
import { renderDiagnosis } from "./incident-summary.js";

/** The bot's sticky comments are its own user's, sealed with its key; outside the bot none is found again. */
async function botSticky(): Promise<StickyOwner> {
  const trust = markerTrust();
  const login = await trust?.botLogin();
  return { authors: login === undefined ? [] : [login], sealKey: trust?.key };
}

/** Our summary table, then the policy's own diagnosis when it wrote one. */
export function renderIncident(incident: Incident, decision: PolicyDecision): string {
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
    const { model_ref: ref, pull_request: pr, kind } = deployment.payload;
    if (
      typeof ref === "string" &&
      digestOfRef(ref) === digest &&
      typeof pr === "number" &&
      kind !== "rollback"
    ) {
      return pr;
    }
  }
  return undefined;
}

/** The environment's tracking issue ("Meta-Controller incidents: <env>"), opened on first use. */
export function trackingIssue(ports: RepoPorts, env: EnvironmentFile, label: string): Promise<number> {
  return ports.comments.findOrCreateIssue(
    `Meta-Controller incidents: ${env.name}`,
    label,
    `Diagnoses of incidents in \`${env.name}\` are kept up to date here.`,
  );
}

/** Posts (or updates) the diagnosis; returns the comment's URL. */
export async function postDiagnosis(
  ports: RepoPorts,
  env: EnvironmentFile,
  incident: Incident,
  decision: PolicyDecision,
  label: string,
): Promise<string> {
  const target =
    (await findDeployingPull(ports, env.name, incident.digests.serving)) ??
    (await trackingIssue(ports, env, label));
  const body = renderIncident(incident, decision);
  return (await upsertStickyComment(ports.comments, target, `diagnosis:${env.name}`, body, await botSticky()))
    .url;
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

/** Posts (or updates) the hold on the tracking issue; returns the comment's URL. */
export async function postHold(
  ports: RepoPorts,
  env: EnvironmentFile,
  incident: Incident,
  hold: GuardrailHold,
  label: string,
): Promise<string> {
  const issue = await trackingIssue(ports, env, label);
  const body = renderHold(env.name, incident, hold);
  return (
    await upsertStickyComment(ports.comments, issue, `guardrail-hold:${env.name}`, body, await botSticky())
  ).url;
}

/** Says on the tracking issue that the decision log failed, and that the safety action was taken. */
export async function postLogProblem(
  ports: RepoPorts,
  env: EnvironmentFile,
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
  return (
    await upsertStickyComment(ports.comments, issue, `decision-log:${env.name}`, body, await botSticky())
  ).url;
}
