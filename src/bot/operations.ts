/**
 * The four GitOps operations — deploy, promote, abort, rollback — shared by
 * comment commands and incidents. Each computes the edit (pure), checks the
 * result against the schema, and opens the change PR.
 */
import type { BotConfig } from "../config/bot-config.js";
import {
  buildAbortEdit,
  buildDeployEdit,
  buildPromoteEdit,
  buildRollbackEdit,
  digestOfRef,
  readEnvironmentRefs,
  shortDigest,
  type EditStrategy,
} from "../deploy/environment-edits.js";
import type { RepoPorts } from "../github/ports.js";
import type { ReportMarker } from "../github/report-marker.js";
import { openChangePr, type ChangeResult } from "./change-pr.js";
import { BotRefusal, validateEnvironmentText, type LoadedEnvironment } from "./repository-files.js";

/** Where an operation runs. */
export interface OperationContext {
  readonly ports: RepoPorts;
  readonly config: BotConfig;
  readonly baseBranch: string;
}

/** Source of a model card summary (from the registry), optional. */
export type CardSummarySource = (ref: string) => Promise<string | undefined>;

function refName(ref: string): string {
  return ref.split("@")[0]!.split(":")[0]!;
}

function footer(requester: string): string {
  return `\n\n---\nRequested by ${requester}. Opened by Meta-Controller; merging this PR changes what serves.`;
}

/** Branch of a deploy: `meta-controller/deploy/<env>/<short-digest>`. */
export function deployBranch(environment: string, digest: string): string {
  return `meta-controller/deploy/${environment}/${shortDigest(digest)}`;
}

/** Input of {@link requestDeploy}. */
export interface DeployInput {
  readonly ref: string;
  readonly strategy: EditStrategy | undefined;
  readonly requester: string;
  readonly marker: ReportMarker | undefined;
  readonly cardSummary: string | undefined;
}

/** Opens the PR deploying `ref`; refuses quarantined digests and foreign models. */
export async function requestDeploy(
  ctx: OperationContext,
  env: LoadedEnvironment,
  input: DeployInput,
): Promise<ChangeResult> {
  const digest = digestOfRef(input.ref);
  if (!digest) {
    throw new BotRefusal(`\`${input.ref}\` names no digest; deploy a reference like \`name:v3@sha256:…\``);
  }
  if (!refName(input.ref).endsWith(env.spec.model)) {
    throw new BotRefusal(
      `\`${input.ref}\` is not a version of \`${env.spec.model}\`, the model of \`${env.name}\``,
    );
  }
  if (env.spec.quarantine.includes(digest)) {
    throw new BotRefusal(
      `\`${digest}\` is quarantined in \`${env.name}\`: it was rolled back and is never deployed again`,
    );
  }
  if (digestOfRef(env.spec.stable) === digest) {
    throw new BotRefusal(`\`${input.ref}\` already serves as stable in \`${env.name}\``);
  }
  const newText = buildDeployEdit(env.path, env.text, {
    ref: input.ref,
    ...(input.strategy === undefined ? {} : { strategy: input.strategy }),
  });
  validateEnvironmentText(env.path, newText);
  const strategy = input.strategy ?? env.spec.strategy.type;
  const lines = [
    `Deploys \`${input.ref}\` to **${env.name}** with the **${strategy}** strategy.`,
    "",
    `| | |`,
    `| --- | --- |`,
    `| environment file | \`${env.path}\` |`,
    `| stable now | ${env.spec.stable ? `\`${env.spec.stable}\`` : "—"} |`,
    `| ${strategy === "simple" ? "new stable" : "candidate"} | \`${input.ref}\` |`,
  ];
  if (input.marker?.gatesPassed !== undefined) {
    lines.push(`| gates | ${input.marker.gatesPassed ? "✅ passed" : "❌ failed"} |`);
  }
  if (input.marker?.pipeline) lines.push(`| pipeline | \`${input.marker.pipeline}\` |`);
  const metrics = Object.entries(input.marker?.metrics ?? {});
  if (metrics.length > 0) {
    lines.push("", "**Metrics**", "", "| metric | value |", "| --- | --- |");
    for (const [name, value] of metrics) lines.push(`| ${name} | ${value} |`);
  }
  if (input.cardSummary) lines.push("", "**Model card**", "", input.cardSummary);
  return openChangePr(ctx.ports, ctx.baseBranch, {
    kind: "deploy",
    environment: env,
    newText,
    branch: deployBranch(env.name, digest),
    title: `Deploy ${refName(input.ref)} (${shortDigest(digest)}) to ${env.name} [${strategy}]`,
    body: lines.join("\n") + footer(input.requester),
    labels: ctx.config.labels,
    merge: "auto",
    fallback: "clean_status_only",
    mergeMethod: ctx.config.merge_method,
    modelRef: input.ref,
    payload: { strategy },
  });
}

/** Opens the PR promoting the candidate to stable. */
export async function requestPromote(
  ctx: OperationContext,
  env: LoadedEnvironment,
  requester: string,
): Promise<ChangeResult> {
  const candidate = env.spec.candidate;
  const digest = digestOfRef(candidate);
  if (!candidate || !digest) throw new BotRefusal(`\`${env.name}\` has no candidate to promote`);
  const newText = buildPromoteEdit(env.path, env.text);
  validateEnvironmentText(env.path, newText);
  return openChangePr(ctx.ports, ctx.baseBranch, {
    kind: "promote",
    environment: env,
    newText,
    branch: `meta-controller/promote/${env.name}/${shortDigest(digest)}`,
    title: `Promote ${refName(candidate)} (${shortDigest(digest)}) to stable in ${env.name}`,
    body:
      `Makes the candidate \`${candidate}\` the stable model of **${env.name}** (was ${env.spec.stable ? `\`${env.spec.stable}\`` : "none"}).` +
      footer(requester),
    labels: ctx.config.labels,
    merge: "auto",
    fallback: "clean_status_only",
    mergeMethod: ctx.config.merge_method,
    modelRef: candidate,
  });
}

/**
 * The newest earlier `stable` of the environment file that is neither the
 * bad digest nor quarantined, read from the file's history.
 */
export async function findLastGood(
  ports: RepoPorts,
  env: LoadedEnvironment,
  baseBranch: string,
  badDigest: string,
  limit = 10,
): Promise<string | null> {
  const avoid = new Set([...env.spec.quarantine, badDigest]);
  const commits = await ports.contents.history(env.path, baseBranch, limit);
  for (const commit of commits) {
    const file = await ports.contents.read(env.path, commit.sha);
    if (!file) continue;
    let stable: string | null;
    try {
      stable = readEnvironmentRefs(env.path, file.text).stable;
    } catch {
      continue;
    }
    const digest = digestOfRef(stable);
    if (stable && digest && !avoid.has(digest)) return stable;
  }
  return null;
}

/** Input of {@link requestRollback}. */
export interface RollbackInput {
  /** The bad digest; the candidate, else the stable, when absent. */
  readonly badDigest: string | undefined;
  readonly requester: string;
  /** Deterministic branch; per bad digest when absent. */
  readonly branch: string | undefined;
  /** Evidence and diagnosis for the PR body. */
  readonly details: string;
  readonly kind: "abort" | "rollback";
  /** The last good stable, when the caller already looked it up. */
  readonly lastGood?: string | null;
}

/** Opens the PR that takes the bad digest out of service and quarantines it. */
export async function requestRollback(
  ctx: OperationContext,
  env: LoadedEnvironment,
  input: RollbackInput,
): Promise<ChangeResult> {
  const bad = input.badDigest ?? digestOfRef(env.spec.candidate) ?? digestOfRef(env.spec.stable);
  if (!bad) throw new BotRefusal(`\`${env.name}\` serves nothing, so there is nothing to roll back`);
  const stableBad = digestOfRef(env.spec.stable) === bad;
  const candidateBad = digestOfRef(env.spec.candidate) === bad;
  if (!stableBad && !candidateBad) {
    throw new BotRefusal(
      `\`${bad}\` is neither the stable nor the candidate of \`${env.name}\` any more; nothing to roll back`,
    );
  }
  const lastGood = stableBad
    ? input.lastGood !== undefined
      ? input.lastGood
      : await findLastGood(ctx.ports, env, ctx.baseBranch, bad)
    : env.spec.stable;
  if (stableBad && lastGood === null) {
    throw new BotRefusal(
      `\`${env.name}\` has no earlier good stable model in the history of \`${env.path}\``,
    );
  }
  const newText =
    input.kind === "abort" && candidateBad
      ? buildAbortEdit(env.path, env.text)
      : buildRollbackEdit(env.path, env.text, { badDigest: bad, lastGood });
  validateEnvironmentText(env.path, newText);
  const verb = input.kind === "abort" ? "Abort" : "Roll back";
  const body = [
    `${verb} in **${env.name}**: takes \`${bad}\` out of service and quarantines it.`,
    "",
    `| | |`,
    `| --- | --- |`,
    `| bad digest | \`${bad}\` |`,
    `| stable after merge | ${stableBad ? `\`${lastGood ?? ""}\`` : env.spec.stable ? `\`${env.spec.stable}\`` : "—"} |`,
    `| candidate after merge | — |`,
    "",
    input.details,
  ].join("\n");
  return openChangePr(ctx.ports, ctx.baseBranch, {
    kind: input.kind,
    environment: env,
    newText,
    branch: input.branch ?? `meta-controller/${input.kind}/${env.name}/${shortDigest(bad)}`,
    title: `${verb} ${env.name}: quarantine ${shortDigest(bad)}`,
    body: body + footer(input.requester),
    labels: ctx.config.labels,
    merge: env.spec.rollback.merge,
    fallback: "always",
    mergeMethod: ctx.config.merge_method,
    modelRef: (stableBad ? lastGood : env.spec.stable) ?? bad,
    payload: { quarantined: bad },
  });
}
