/**
 * Deploy: put a model version into an environment. `simple` replaces the
 * stable at once; `canary` and `blue-green` set the candidate and the
 * server rolls it out. Refused: a reference without a digest, a version of
 * another model, a quarantined digest (nothing overrides that), the
 * version already stable, and a rollout in progress unless forced.
 */
import { sanitizeForGitHub } from "../common/sanitize-markdown.js";
import type { StrategyType } from "../config/environment.js";
import { buildDeployEdit, digestOfRef, shortDigest } from "../deploy/environment-edits.js";
import type { ChangeResult, EnvironmentFile } from "./desired-state.js";
import { OperationRefusal, validateEnvironmentText } from "./environment-files.js";
import { modelNameOfRef, refNamesModel } from "./model-names.js";
import { renderFooter, type OperationContext } from "./operation-context.js";

/** What the Action's report says about the model, shown in the change. */
export interface ModelReportSummary {
  readonly gatesPassed?: boolean;
  readonly pipeline?: string;
  readonly metrics?: Readonly<Record<string, string | number>>;
}

/** Input of {@link deployModel}. */
export interface DeployInput {
  /** `name:tag@sha256:…`: a digest is required, so what is reviewed is what serves. */
  readonly ref: string;
  /** Strategy to roll out with; the environment file's own when absent. */
  readonly strategy?: StrategyType | undefined;
  /** Replace a rollout in progress (the caller checked the right to). */
  readonly force?: boolean;
  readonly report?: ModelReportSummary | undefined;
  /** The model card's summary in Markdown, already sanitised. */
  readonly cardSummary?: string | undefined;
}

/** Name of the change that deploys `digest` to `environment`: `meta-controller/deploy/<env>/<short digest>`. */
export function deployBranch(environment: string, digest: string): string {
  return `meta-controller/deploy/${environment}/${shortDigest(digest)}`;
}

/** Throws the refusal that applies to deploying `ref` to `env`, if any. */
export function checkDeployable(env: EnvironmentFile, ref: string, force: boolean): string {
  const digest = digestOfRef(ref);
  if (!digest) {
    throw new OperationRefusal(`\`${ref}\` names no digest; deploy a reference like \`name:v3@sha256:…\``);
  }
  if (env.spec.quarantine.includes(digest)) {
    throw new OperationRefusal(
      `\`${digest}\` is quarantined in \`${env.name}\`: it was rolled back and is never deployed again`,
    );
  }
  if (!refNamesModel(ref, env.spec.model)) {
    throw new OperationRefusal(
      `\`${ref}\` is not a version of \`${env.spec.model}\`, the model of \`${env.name}\``,
    );
  }
  if (digestOfRef(env.spec.stable) === digest) {
    throw new OperationRefusal(`\`${ref}\` already serves as stable in \`${env.name}\``);
  }
  if (env.spec.candidate && !force) {
    throw new OperationRefusal(
      `\`${env.name}\` has a rollout in progress (\`${env.spec.candidate}\`); finish it with promote or abort, or force the deploy (needs \`${env.spec.permissions.force}\`).`,
    );
  }
  return digest;
}

function safeCell(text: string, style: "code" | "plain"): string {
  return sanitizeForGitHub(text, { allowedHosts: [], maxLength: 200, style });
}

function renderDeployBody(env: EnvironmentFile, input: DeployInput, strategy: StrategyType): string {
  const lines = [
    `Deploys \`${input.ref}\` to **${env.name}** with the **${strategy}** strategy.`,
    "",
    `| | |`,
    `| --- | --- |`,
    `| environment file | \`${env.path}\` |`,
    `| stable now | ${env.spec.stable ? `\`${env.spec.stable}\`` : "—"} |`,
    `| ${strategy === "simple" ? "new stable" : "candidate"} | \`${input.ref}\` |`,
  ];
  const report = input.report;
  if (report?.gatesPassed !== undefined)
    lines.push(`| gates | ${report.gatesPassed ? "✅ passed" : "❌ failed"} |`);
  // The report is read from a PR comment: its strings go through the one sanitiser.
  if (report?.pipeline) lines.push(`| pipeline | ${safeCell(report.pipeline, "code")} |`);
  const metrics = Object.entries(report?.metrics ?? {});
  if (metrics.length > 0) {
    lines.push("", "**Metrics**", "", "| metric | value |", "| --- | --- |");
    for (const [name, value] of metrics)
      lines.push(`| ${safeCell(name, "plain")} | ${safeCell(String(value), "plain")} |`);
  }
  if (input.cardSummary) lines.push("", "**Model card**", "", input.cardSummary);
  return lines.join("\n");
}

/** Proposes the change that deploys `input.ref` to `env`. */
export async function deployModel(
  ctx: OperationContext,
  env: EnvironmentFile,
  input: DeployInput,
): Promise<ChangeResult> {
  const digest = checkDeployable(env, input.ref, input.force === true);
  const newText = buildDeployEdit(env.path, env.text, {
    ref: input.ref,
    ...(input.strategy === undefined ? {} : { strategy: input.strategy }),
  });
  validateEnvironmentText(env.path, newText);
  const strategy = input.strategy ?? env.spec.strategy.type;
  return ctx.state.propose({
    kind: "deploy",
    environment: env,
    newText,
    branch: deployBranch(env.name, digest),
    title: `Deploy ${modelNameOfRef(input.ref)} (${shortDigest(digest)}) to ${env.name} [${strategy}]`,
    body: renderDeployBody(env, input, strategy) + renderFooter(ctx.requester),
    merge: "auto",
    fallback: "clean_status_only",
    modelRef: input.ref,
    payload: { strategy },
  });
}
