/**
 * The Action: parses inputs, runs the use cases for each selected pipeline,
 * and prints what they return as outputs, a job summary, one PR comment per
 * pipeline and annotations. It decides nothing the use cases do not.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { basename, extname, join, resolve } from "node:path";
import * as core from "@actions/core";
import { ConfigError, GitHubApiError, RegistryError, UsageError } from "../common/errors.js";
import { expandGlob } from "../common/glob.js";
import type { PipelineSpec } from "../config/pipeline.js";
import { validateConfigFiles } from "../config/validate-files.js";
import { buildShardDocument, buildTrainDocument, renderTrainSummary } from "../pipeline/train-document.js";
import { loadPipeline, trainPipeline } from "../pipeline/train.js";
import { checkPipelineData } from "../pipeline/validate-data.js";
import type { ModelRegistry } from "../registry/model-registry.js";
import { openConfiguredRegistry } from "../registry/open-registry.js";
import { buildAnnotation } from "./annotations.js";
import { hasPipelineChanged, listPipelineInputs, loadChangedFiles, readEventBase } from "./changed.js";
import { createActionLogger, createActionProgress, runInGroup } from "./log-stages.js";
import { parseActionInputs, type ActionInputName, type ActionInputs } from "./inputs.js";
import { buildOutputValues, type PipelineOutputs } from "./outputs.js";
import { openRunnerGitHub, type RunnerGitHub } from "./runner-github.js";
import { buildCommentBody, postReportComment, reportAuthors } from "./post-report.js";
import { checkServingDrift } from "../pipeline/serving-drift.js";
import { evaluateServingModels } from "../pipeline/serving-evaluation.js";
import { renderDriftReport, renderPipelineReport, renderServingReport } from "./render-report.js";

/** Where the Action runs: the runner's environment. */
interface RunContext {
  readonly env: NodeJS.ProcessEnv;
  readonly root: string;
  readonly inputs: ActionInputs;
  readonly payload: unknown;
  readonly eventName: string;
  /** The event, repository, pull request and API as `@actions/github` reads them. */
  readonly github: RunnerGitHub;
}

/** The outcome of one pipeline. */
interface PipelineRun {
  readonly key: string;
  readonly outputs?: PipelineOutputs;
  /** A tuning shard has no model: only its report. */
  readonly shardReport?: string;
  /** Set when the step must fail because of this pipeline. */
  readonly failure?: string;
}

/** Reads an input as the runner passes it (`INPUT_CHANGED-ONLY`), or as a composite step maps it (`INPUT_CHANGED_ONLY`). */
function readInput(env: NodeJS.ProcessEnv, name: ActionInputName): string {
  const upper = `INPUT_${name.toUpperCase()}`;
  return env[upper] ?? env[upper.replace(/-/g, "_")] ?? "";
}

function describe(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}

/** The default registry: the repository owner's GHCR namespace. */
function defaultRegistry(github: RunnerGitHub): string {
  const owner = github.repo?.owner;
  if (!owner) throw new UsageError("input registry is empty and GITHUB_REPOSITORY is unset: name a registry");
  return `oci://ghcr.io/${owner.toLowerCase()}`;
}

function stem(path: string): string {
  return basename(path, extname(path));
}

async function selectPipelines(context: RunContext): Promise<string[]> {
  const all = await expandGlob(context.inputs.pipelines, context.root);
  if (!context.inputs.changedOnly) return all;
  const base = readEventBase(context.eventName, context.payload);
  if (base === undefined) return all;
  const changed = await loadChangedFiles(context.root, base);
  const selected: string[] = [];
  for (const path of all) {
    let inputs: string[] | undefined;
    try {
      inputs = listPipelineInputs(await loadPipeline(context.root, path));
    } catch {
      inputs = undefined;
    }
    if (hasPipelineChanged(path, inputs, changed)) selected.push(path);
  }
  core.info(`changed-only: ${selected.length} of ${all.length} pipelines changed since ${base.slice(0, 7)}`);
  return selected;
}

/** Validates files and prints their problems as annotations; returns the files with errors. */
async function annotateProblems(root: string, targets: readonly string[]): Promise<Set<string>> {
  return runInGroup(`validate ${targets.length} file(s)`, async () => {
    // The data is in the checkout: its columns are checked too, at the YAML line that names them.
    const report = await validateConfigFiles(root, targets, { checkPipeline: checkPipelineData });
    const invalid = new Set<string>();
    for (const file of report.files) {
      for (const issue of file.issues) {
        const annotation = buildAnnotation(issue);
        if (annotation.level === "error") core.error(annotation.message, annotation.properties);
        else core.warning(annotation.message, annotation.properties);
      }
      core.info(`${file.valid ? "✓" : "✗"} ${file.path}`);
      if (!file.valid) invalid.add(file.path);
    }
    return invalid;
  });
}

async function writeReport(context: RunContext, name: string, markdown: string): Promise<string> {
  const dir = join(context.env.RUNNER_TEMP ?? join(context.root, ".meta-controller"), "reports");
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.md`);
  await writeFile(path, `${markdown}\n`);
  return path;
}

async function mergeFilesFor(context: RunContext, path: string): Promise<string[] | undefined> {
  const pattern = context.inputs.mergeTrials;
  if (pattern === undefined) return undefined;
  const files = (await expandGlob(pattern, context.root)).map((f) => resolve(context.root, f));
  if (files.length === 0)
    throw new UsageError(`input merge-trials ${JSON.stringify(pattern)} matches no file`);
  // Shard files are named after their pipeline; with several pipelines each takes its own.
  const own = files.filter((f) => basename(f).startsWith(`${stem(path)}.shard-`));
  return own.length > 0 ? own : files;
}

/**
 * `pull_request_target` runs hold the base repository's secrets and check
 * out what the workflow asks for; a fork's `model_type: command` pipeline
 * would run the fork author's command with them. Refused, with the reason.
 */
function refuseForkCommand(context: RunContext, path: string, spec: PipelineSpec): string | undefined {
  if (context.eventName !== "pull_request_target" || spec.model_training.model_type !== "command")
    return undefined;
  const pr = (context.payload as { pull_request?: PullRequestRepos } | null)?.pull_request;
  const head = pr?.head?.repo?.full_name;
  const fork = pr?.head?.repo?.fork === true || (head !== undefined && head !== pr?.base?.repo?.full_name);
  if (!fork) return undefined;
  return `${path}: model_type: command is refused on a pull_request_target run from a fork (${head ?? "unknown"}): the training command would run with this repository's secrets. Train fork pull requests on the pull_request event (no secrets), or after a maintainer has reviewed and merged the pipeline.`;
}

interface PullRequestRepos {
  readonly head?: { readonly repo?: { readonly full_name?: string; readonly fork?: boolean } | null };
  readonly base?: { readonly repo?: { readonly full_name?: string } | null };
}

async function trainOne(
  context: RunContext,
  path: string,
  registry: ModelRegistry,
  summary: string[],
): Promise<PipelineRun> {
  const { inputs } = context;
  const shard = inputs.shard;
  const trialsOut = shard
    ? resolve(
        context.root,
        "meta-controller-trials",
        `${stem(path)}.shard-${shard.index}-of-${shard.count}.jsonl`,
      )
    : undefined;
  if (trialsOut) await mkdir(join(context.root, "meta-controller-trials"), { recursive: true });
  const mergeTrials = await mergeFilesFor(context, path);
  const refusal = refuseForkCommand(context, path, await loadPipeline(context.root, path));
  if (refusal !== undefined) throw new UsageError(refusal);
  const result = await runInGroup(`train ${path}: load, tune, fit, evaluate, push`, () =>
    trainPipeline({
      root: context.root,
      pipelinePath: path,
      registry,
      push: true,
      logger: createActionLogger(context.env),
      onTrial: createActionProgress(),
      ...(shard ? { shard } : {}),
      ...(trialsOut ? { trialsOut } : {}),
      ...(mergeTrials ? { mergeTrials } : {}),
    }),
  );
  if (result.kind === "shard") {
    const document = buildShardDocument(result);
    const text = `### Pipeline \`${document.pipeline}\`: tuning shard ${document.shard}\n\n${document.tuning.trials.length} trials written to \`${trialsOut ?? ""}\`; best ${document.tuning.metric} in this shard ${document.tuning.best_score ?? "—"} with \`${JSON.stringify(document.tuning.best_params)}\`.`;
    summary.push(text);
    const report = await writeReport(
      context,
      `${document.pipeline}.shard-${document.shard.replace("/", "-of-")}`,
      text,
    );
    return { key: document.pipeline, shardReport: report };
  }
  const document = buildTrainDocument(result);
  // The result table stays outside any group: the first thing a reader of the log looks for.
  core.info(renderTrainSummary(document));
  const markdown = renderPipelineReport({
    document,
    pipelinePath: path,
    ...(result.evaluation.curves ? { curves: result.evaluation.curves } : {}),
    ...(result.tuning ? { trials: result.tuning.trials, direction: result.tuning.direction } : {}),
    ...(document.classes.length > 0
      ? { classCounts: countClasses(result.data.train.y, document.classes.length) }
      : {}),
  });
  summary.push(markdown);
  const report = await writeReport(context, document.pipeline, markdown);
  const gatesPassed = document.gates.passed;
  await runInGroup(`report ${document.pipeline}: job summary and PR comment`, () =>
    commentOn(context, document.pipeline, {
      pipeline: document.pipeline,
      report: markdown,
      gatesPassed,
      metrics: document.metrics,
      ...(document.model.pinned_ref ? { pinnedRef: document.model.pinned_ref } : {}),
    }),
  );
  return {
    key: document.pipeline,
    outputs: {
      modelRef: document.model.pinned_ref ?? "",
      modelDigest: document.model.digest ?? "",
      metrics: document.metrics,
      gatesPassed,
      report,
    },
    ...(!gatesPassed && inputs.failOnGates
      ? { failure: `pipeline ${document.pipeline} failed its gates; the model was not pushed` }
      : {}),
  };
}

function countClasses(y: ArrayLike<number>, k: number): number[] {
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < y.length; i++) {
    const c = y[i]!;
    if (c >= 0 && c < k) counts[c] = (counts[c] ?? 0) + 1;
  }
  return counts;
}

async function commentOn(
  context: RunContext,
  pipeline: string,
  body: Parameters<typeof buildCommentBody>[0],
): Promise<void> {
  if (!context.inputs.comment) return;
  const pull = context.github.pullNumber;
  if (pull === undefined) return;
  if (!context.inputs.githubToken) {
    core.notice(`no github-token: the report of ${pipeline} is in the job summary only`);
    return;
  }
  try {
    // Loaded only when a comment is due: the GitHub client is a large import.
    const { createCommentsPort } = await import("./github-client.js");
    const comments = createCommentsPort(context.inputs.githubToken, context.github);
    const outcome = await postReportComment(comments, pull, pipeline, buildCommentBody(body), {
      authors: reportAuthors(context.env),
    });
    if (outcome.kind === "posted") core.info(`report of ${pipeline}: ${outcome.url}`);
    else core.notice(`PR comment skipped for ${pipeline}: ${outcome.reason}`);
  } catch (error) {
    // The report is in the summary; a broken comment is worth a warning, not a failed model.
    if (error instanceof GitHubApiError) core.warning(`PR comment for ${pipeline} failed: ${error.message}`);
    else throw error;
  }
}

async function runTrain(context: RunContext, files: readonly string[]): Promise<string[]> {
  const failures: string[] = [];
  const invalid = await annotateProblems(context.root, files);
  for (const path of invalid) failures.push(`${path} is invalid (see the annotations)`);
  const valid = files.filter((f) => !invalid.has(f));
  if (valid.length === 0) return failures;
  const registry = openRegistry(context);
  const summary: string[] = [];
  const results = new Map<string, PipelineOutputs>();
  const shardReports = new Map<string, string>();
  for (const path of valid) {
    try {
      const run = await trainOne(context, path, registry, summary);
      if (run.outputs) results.set(run.key, run.outputs);
      if (run.shardReport) shardReports.set(run.key, run.shardReport);
      if (run.failure) failures.push(run.failure);
    } catch (error) {
      const message = `${path}: ${describe(error)}`;
      if (error instanceof ConfigError) {
        for (const issue of error.issues) {
          const a = buildAnnotation(issue);
          core.error(a.message, a.properties);
        }
      } else if (error instanceof RegistryError) {
        core.error(`registry ${registry.location}: ${describe(error)}`, { title: `meta-controller ${path}` });
      } else {
        core.error(message, { title: `meta-controller ${path}` });
      }
      summary.push(`### ❌ \`${path}\` failed\n\n${message.replace(/\n/g, "  \n")}`);
      failures.push(message);
    }
  }
  if (results.size > 0) {
    const values = buildOutputValues(results);
    for (const [name, value] of Object.entries(values)) core.setOutput(name, value);
  } else if (shardReports.size > 0) {
    // A shard trains no model, so it claims no model output, only its report.
    core.setOutput(
      "report",
      shardReports.size === 1
        ? [...shardReports.values()][0]
        : JSON.stringify(Object.fromEntries(shardReports)),
    );
  }
  await writeSummary(context, "train", summary);
  return failures;
}

function openRegistry(context: RunContext): ModelRegistry {
  // REGISTRY_INSECURE allows plain http to a loopback registry only (a
  // registry started on a self-hosted runner, or in tests); open-registry refuses other hosts.
  return openConfiguredRegistry(
    {
      registry: context.inputs.registry || defaultRegistry(context.github),
      insecure: context.env.REGISTRY_INSECURE === "true",
    },
    {
      root: context.root,
      env: context.inputs.githubToken
        ? { ...context.env, GITHUB_TOKEN: context.inputs.githubToken }
        : context.env,
    },
  ).registry;
}

/** Reports a pipeline that failed with an unexpected error: an annotation, a summary section, the failure line. */
function reportFailure(path: string, error: unknown, summary: string[]): string {
  const message = `${path}: ${describe(error)}`;
  core.error(message, { title: `meta-controller ${path}` });
  summary.push(`### ❌ \`${path}\` failed\n\n${message}`);
  return message;
}

/** Appends the command's sections to the job summary, when the runner gives one. */
async function writeSummary(
  context: RunContext,
  command: string,
  sections: readonly string[],
): Promise<void> {
  if (sections.length > 0 && context.env.GITHUB_STEP_SUMMARY)
    await core.summary.addRaw(`## meta-controller ${command}\n\n${sections.join("\n\n---\n\n")}\n`).write();
}

/** What one pipeline's step gives back: its outputs under its name, or nothing to output. */
type PipelineStep = (
  path: string,
  registry: ModelRegistry,
  summary: string[],
  failures: string[],
) => Promise<[string, PipelineOutputs] | undefined>;

/**
 * The shape `evaluate` and `drift` share: annotate invalid files, run the
 * step on each valid pipeline (an unexpected error fails that pipeline
 * only), then set the outputs and write the job summary.
 */
async function runPerPipeline(
  context: RunContext,
  files: readonly string[],
  command: string,
  step: PipelineStep,
): Promise<string[]> {
  const failures: string[] = [];
  const invalid = await annotateProblems(context.root, files);
  for (const path of invalid) failures.push(`${path} is invalid (see the annotations)`);
  const registry = openRegistry(context);
  const summary: string[] = [];
  const results = new Map<string, PipelineOutputs>();
  for (const path of files.filter((f) => !invalid.has(f))) {
    try {
      const result = await runInGroup(`${command} ${path}`, () => step(path, registry, summary, failures));
      if (result) results.set(...result);
    } catch (error) {
      failures.push(reportFailure(path, error, summary));
    }
  }
  if (results.size > 0)
    for (const [name, value] of Object.entries(buildOutputValues(results))) core.setOutput(name, value);
  await writeSummary(context, command, summary);
  return failures;
}

function runEvaluate(context: RunContext, files: readonly string[]): Promise<string[]> {
  return runPerPipeline(context, files, "evaluate", async (path, registry, summary, failures) => {
    const { pipeline, environments } = await evaluateServingModels(context.root, path, registry);
    for (const e of environments)
      core.info(
        `${e.environment}: ${e.stable ?? "serves nothing"}${e.gates ? `, gates ${e.gates.passed ? "passed" : "FAILED"}` : ""}`,
      );
    const markdown = renderServingReport(pipeline, environments);
    summary.push(markdown);
    const report = await writeReport(context, `${pipeline}.serving`, markdown);
    // The first environment that serves a model speaks for the pipeline's outputs.
    const serving = environments.find((e) => e.result && e.gates);
    if (!serving?.result || !serving.gates || serving.stable === null) {
      core.notice(`${pipeline}: no environment serves a model yet; nothing to evaluate`);
      return undefined;
    }
    const outputs: PipelineOutputs = {
      modelRef: serving.stable,
      modelDigest: serving.result.digest,
      metrics: serving.result.evaluation.metrics,
      gatesPassed: serving.gates.passed,
      report,
    };
    if (!serving.gates.passed && context.inputs.failOnGates)
      failures.push(`${serving.environment}'s model ${serving.stable} fails the gates of ${pipeline}`);
    return [pipeline, outputs];
  });
}

function runDrift(context: RunContext, files: readonly string[]): Promise<string[]> {
  return runPerPipeline(context, files, "drift", async (path, registry, summary, failures) => {
    const { pipeline, dataPath, environments } = await checkServingDrift(context.root, path, registry);
    for (const e of environments) {
      const drifted = e.report?.features.filter((f) => f.drift).length ?? 0;
      const verdict =
        e.report === undefined
          ? "serves nothing"
          : `${e.stable ?? ""}: ${e.report.drift ? `drift in ${drifted} of ${e.report.features.length} columns` : "no drift"}`;
      core.info(`${e.environment}: ${verdict}`);
    }
    const markdown = renderDriftReport(pipeline, dataPath, environments);
    summary.push(markdown);
    const report = await writeReport(context, `${pipeline}.drift`, markdown);
    const serving = environments.find((e) => e.report);
    if (!serving?.report || serving.stable === null) {
      core.notice(`${pipeline}: no environment serves a model yet; no profile to compare with`);
      return undefined;
    }
    const drifted = serving.report.features.filter((f) => f.drift).length;
    // No drift is this command's gate; metrics carry the drift figures.
    const outputs: PipelineOutputs = {
      modelRef: serving.stable,
      modelDigest: serving.digest ?? "",
      metrics: { drift_share: serving.report.drift_share, drifted_columns: drifted },
      gatesPassed: !serving.report.drift,
      report,
    };
    if (serving.report.drift && context.inputs.failOnGates)
      failures.push(
        `${dataPath} drifted from ${serving.environment}'s model ${serving.stable} in ${drifted} columns`,
      );
    return [pipeline, outputs];
  });
}

async function runValidate(context: RunContext, files: readonly string[]): Promise<string[]> {
  const invalid = await annotateProblems(context.root, files);
  const lines = files.map((f) => `| \`${f}\` | ${invalid.has(f) ? "❌ invalid" : "✅ valid"} |`);
  if (context.env.GITHUB_STEP_SUMMARY)
    await core.summary
      .addRaw(`## meta-controller validate\n\n| file | result |\n| --- | --- |\n${lines.join("\n")}\n`)
      .write();
  return [...invalid].map((f) => `${f} is invalid (see the annotations)`);
}

/** Runs the Action in this process's environment. */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    const inputs = parseActionInputs((name) => readInput(env, name));
    const github = await openRunnerGitHub(env);
    const context: RunContext = {
      env,
      root: resolve(env.GITHUB_WORKSPACE ?? process.cwd()),
      inputs,
      payload: github.payload,
      eventName: github.eventName,
      github,
    };
    const files = await selectPipelines(context);
    if (files.length === 0) {
      core.notice(`no pipeline to run: ${JSON.stringify(inputs.pipelines)} matched nothing that changed`);
      return;
    }
    const commands = {
      train: runTrain,
      evaluate: runEvaluate,
      validate: runValidate,
      drift: runDrift,
    } as const;
    const failures = await commands[inputs.command](context, files);
    if (failures.length > 0) core.setFailed(failures.join("\n"));
  } catch (error) {
    core.setFailed(describe(error));
  }
}
