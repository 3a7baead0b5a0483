/**
 * The build flow's use case: pipeline file → data → tuning → fit →
 * evaluation on the holdout → gates. The CLI, the Action and the library call
 * this one function; they only parse their inputs and print its result.
 */
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import type { Logger } from "../common/logger.js";
import { loadConfigFile } from "../config/load-yaml.js";
import { PipelineSpec, type ModelType } from "../config/pipeline.js";
import { evaluateBaseline } from "../evaluation/baseline.js";
import { evaluateGates, type GateOutcome } from "../evaluation/gates.js";
import type { ModelEvaluation } from "../evaluation/model-evaluation.js";
import { describeHighCardinality, findHighCardinalityFeatures } from "../features/cardinality.js";
import { computeFeatureImportance } from "../learners/feature-importance.js";
import type { Trial } from "../tuning/samplers.js";
import type { Shard } from "../tuning/shard.js";
import type { LearnerParams } from "../learners/learner-table.js";
import type { StudyProgress } from "../tuning/study.js";
import type { ModelRegistry, PushResult } from "../registry/model-registry.js";
import { evaluateChampions } from "./champions.js";
import { checkMetricsFitTask } from "./check-metric-task.js";
import { fitPipelineModel, type FitRequest, type PipelineModel } from "./fit-model.js";
import { buildCommandArtifact } from "./command-artifact.js";
import { readGitCommit, readWorkingTreeState, type WorkingTreeState } from "./git-commit.js";
import { buildModelArtifact, type ModelArtifact } from "./model-artifact.js";
import { prepareData, type PreparedData } from "./prepare-data.js";
import { buildFeatureOptions } from "./spec-mapping.js";
import { computeFileSha256 } from "../registry/file-digest.js";
import { mergeTuningShards, tuneHyperparameters, type TuningSummary } from "./tune.js";

/** How to train. */
export interface TrainOptions {
  /** Repository root: data paths are relative to it. */
  readonly root: string;
  /** Data paths may lead out of `root` (the CLI's `--allow-outside-root`); refused by default. */
  readonly allowOutsideRoot?: boolean;
  /** Path of the pipeline file (relative to `root` or absolute). */
  readonly pipelinePath: string;
  /** Overrides `model_training.seed`. */
  readonly seed?: number;
  /** Worker threads; default: available cores. Results do not depend on it. */
  readonly threads?: number;
  /** Run only this shard of the tuning study and stop (no final model). */
  readonly shard?: Shard;
  /** Write the trials JSONL here. */
  readonly trialsOut?: string;
  /** Shard trials files to merge instead of tuning. */
  readonly mergeTrials?: readonly string[];
  /**
   * The registry: champions for relative gates are pulled from it, and the
   * model is pushed to it when `push` is set and the gates pass.
   */
  readonly registry?: ModelRegistry;
  /** Push the model when its gates pass (needs `registry`). */
  readonly push?: boolean;
  /** Clock for the card's `created_at`. */
  readonly now?: () => Date;
  readonly onTrial?: (trial: Trial, progress: StudyProgress) => void;
  readonly logger?: Logger;
}

/** Milliseconds spent per step. `fit_ms` covers the final model's features and learner, not tuning. */
export interface TrainTimings {
  load_ms: number;
  tune_ms: number;
  fit_ms: number;
  evaluate_ms: number;
}

/** A trained, evaluated, gated model. */
export interface TrainResult {
  readonly kind: "model";
  readonly spec: PipelineSpec;
  readonly data: PreparedData;
  readonly learner: ModelType;
  /** The parameters the final model was fitted with (pipeline params, then the best tuned ones). */
  readonly params: LearnerParams;
  /** The TypeScript model; `null` when the user's command trained the model. */
  readonly fitted: PipelineModel | null;
  /** The ONNX graph and model card, checked for parity with `fitted`. */
  readonly artifact: ModelArtifact;
  /** Metrics on the holdout, computed on the ONNX artifact (what is served). */
  readonly evaluation: ModelEvaluation;
  /** The prior/mean baseline on the same holdout. */
  readonly baseline: ModelEvaluation;
  readonly gates: GateOutcome;
  readonly tuning: TuningSummary | null;
  readonly featureImportance: Readonly<Record<string, number>>;
  readonly timings: TrainTimings;
  /** Where the model was pushed; absent when not pushed (no registry, or failed gates). */
  readonly pushed?: PushResult;
}

/** One shard of a tuning study: trials only. */
export interface ShardResult {
  readonly kind: "shard";
  readonly spec: PipelineSpec;
  readonly data: PreparedData;
  readonly tuning: TuningSummary;
  readonly timings: TrainTimings;
}

/** Recorded on cards built outside a git checkout. */
const UNKNOWN_COMMIT = "0000000";

function since(start: number): number {
  return Math.round(performance.now() - start);
}

/** Loads a pipeline file; throws ConfigError with every problem at its position. */
export async function loadPipeline(root: string, path: string): Promise<PipelineSpec> {
  const config = await loadConfigFile(resolve(root, path), PipelineSpec);
  return config.value;
}

/** What the steps after loading share: the pipeline, its data and the card's provenance. */
interface TrainingRun {
  readonly spec: PipelineSpec;
  readonly data: PreparedData;
  readonly options: TrainOptions;
  readonly seed: number;
  readonly nClasses: number;
  readonly gitCommit: string;
  /** The pipeline and data files against HEAD, for the card; absent outside a checkout. */
  readonly workingTree: WorkingTreeState | undefined;
  readonly now: Date;
  readonly startAll: number;
  readonly timings: TrainTimings;
}

/** The model a learner produced: its parameters, the TypeScript model (if any) and the artifact. */
interface BuiltModel {
  readonly params: LearnerParams;
  readonly fitted: PipelineModel | null;
  readonly artifact: ModelArtifact;
  readonly tuning: TuningSummary | null;
  /** When evaluation began: building the learner's artifact counts as evaluation (ONNX parity and metrics). */
  readonly evaluateStart: number;
}

/** Loads and splits the data, logging what was loaded. */
async function loadTrainingData(spec: PipelineSpec, options: TrainOptions): Promise<PreparedData> {
  const data = await prepareData(spec, options.root, options.allowOutsideRoot === true);
  checkMetricsFitTask(spec, data.task, data.taskRule);
  options.logger?.info(
    {
      rows_train: data.train.rows.length,
      rows_test: data.test.rows.length,
      task: data.task,
      rule: data.taskRule,
    },
    `loaded ${data.train.rows.length} training and ${data.test.rows.length} holdout rows (${data.task}: ${data.taskRule})`,
  );
  const categorical = spec.data_processing.feature_engineering.categorical_features;
  for (const feature of findHighCardinalityFeatures(data.train.frame, categorical))
    options.logger?.warn(
      { feature: feature.name, levels: feature.levels },
      describeHighCardinality(feature, "in the data"),
    );
  return data;
}

/** Runs the user's training command and checks the ONNX file it wrote. */
async function buildFromCommand(run: TrainingRun): Promise<BuiltModel> {
  const { spec, data, options, seed, timings } = run;
  const start = performance.now();
  const artifact = await buildCommandArtifact(
    { spec, data, root: options.root, seed, ...(options.logger ? { logger: options.logger } : {}) },
    { gitCommit: run.gitCommit, workingTree: run.workingTree, now: run.now, startedAt: run.startAll },
  );
  timings.fit_ms = since(start);
  return {
    params: artifact.card.params,
    fitted: null,
    artifact,
    tuning: null,
    evaluateStart: performance.now(),
  };
}

/** Tunes (or merges tuning shards) when asked; `null` when there is no tuning. */
async function runTuning(run: TrainingRun, base: FitRequest): Promise<TuningSummary | null> {
  const { spec, data, options, seed } = run;
  if (options.mergeTrials && options.mergeTrials.length > 0)
    return mergeTuningShards(spec, data, options.mergeTrials);
  if (!spec.enable_hyperparameter_tuning && !options.shard) return null;
  return tuneHyperparameters({
    spec,
    data,
    base,
    seed,
    ...(options.shard ? { shard: options.shard } : {}),
    ...(options.trialsOut ? { trialsOut: options.trialsOut } : {}),
    ...(options.onTrial ? { onTrial: options.onTrial } : {}),
  });
}

/** Tunes, fits the final built-in learner and exports it; a shard run stops after tuning. */
async function buildFromLearner(
  run: TrainingRun,
  learner: FitRequest["learner"],
): Promise<BuiltModel | ShardResult> {
  const { spec, data, options, timings } = run;
  const base: FitRequest = {
    learner,
    params: spec.model_training.params,
    featureOptions: buildFeatureOptions(spec),
    context: {
      task: data.task,
      nClasses: run.nClasses,
      seed: run.seed,
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
    },
  };
  let start = performance.now();
  const tuning = await runTuning(run, base);
  timings.tune_ms = since(start);
  if (options.shard && tuning) return { kind: "shard", spec, data, tuning, timings };

  const params = { ...spec.model_training.params, ...tuning?.best_params };
  start = performance.now();
  const fitted = await fitPipelineModel({ ...base, params }, data.train.frame, data.train.rows, data.train.y);
  timings.fit_ms = since(start);
  const evaluateStart = performance.now();
  const artifact = await buildModelArtifact(
    { spec, data, params, fitted, tuning },
    {
      gitCommit: run.gitCommit,
      workingTree: run.workingTree,
      now: run.now,
      trainingTimeMs: since(run.startAll),
    },
  );
  return { params, fitted, artifact, tuning, evaluateStart };
}

/** Pushes the model when asked and its gates passed; logs what happened. */
async function pushWhenPassed(
  run: TrainingRun,
  artifact: ModelArtifact,
  gates: GateOutcome,
): Promise<PushResult | undefined> {
  const { spec, options } = run;
  const log = options.logger;
  if (options.push && !gates.passed) log?.warn("the model failed its gates and was not pushed");
  if (!options.push || !options.registry || !gates.passed) return undefined;
  const pushed = await options.registry.push({
    name: spec.registry?.name ?? spec.name,
    onnx: artifact.onnx,
    card: artifact.card,
  });
  log?.info(
    { ref: pushed.ref, digest: pushed.digest },
    `pushed ${pushed.pinnedRef} to ${options.registry.location}`,
  );
  return pushed;
}

/**
 * Trains a pipeline. With `shard`, runs only that share of the tuning study
 * and returns its trials.
 */
export async function trainPipeline(options: TrainOptions): Promise<TrainResult | ShardResult> {
  const timings: TrainTimings = { load_ms: 0, tune_ms: 0, fit_ms: 0, evaluate_ms: 0 };
  const startAll = performance.now();
  const spec = await loadPipeline(options.root, options.pipelinePath);
  const learner = spec.model_training.model_type;

  const start = performance.now();
  const data = await loadTrainingData(spec, options);
  timings.load_ms = since(start);
  const nClasses = data.task === "classification" ? data.classes.length : 1;
  const gitCommit = (await readGitCommit(options.root)) ?? UNKNOWN_COMMIT;
  if (gitCommit === UNKNOWN_COMMIT)
    options.logger?.warn("not a git checkout and no GITHUB_SHA: the card records commit 0000000");
  const workingTree = await readWorkingTreeState(
    options.root,
    [options.pipelinePath, ...data.dataFiles.map((f) => f.path)],
    (path) => computeFileSha256(resolve(options.root, path)),
  );
  if (workingTree?.dirty)
    options.logger?.warn(
      `not as committed at ${gitCommit.slice(0, 7)}: ${workingTree.files.map((f) => `${f.path} (${f.status})`).join(", ")}; the card records their hashes`,
    );
  const now = (options.now ?? (() => new Date()))();
  const seed = options.seed ?? spec.model_training.seed;
  const run: TrainingRun = {
    spec,
    data,
    options,
    seed,
    nClasses,
    gitCommit,
    workingTree,
    now,
    startAll,
    timings,
  };

  const built = learner === "command" ? await buildFromCommand(run) : await buildFromLearner(run, learner);
  if ("kind" in built) return built;
  const { params, fitted, artifact, tuning } = built;

  const evaluation = artifact.evaluation;
  const baseline = evaluateBaseline(data.task, nClasses, data.train.y, data.test.y);
  const champions = options.registry
    ? await evaluateChampions(spec, data, { root: options.root, registry: options.registry })
    : {};
  const gates = evaluateGates(spec.evaluation.gates, evaluation.metrics, champions);
  timings.evaluate_ms = since(built.evaluateStart);

  const featureImportance = fitted ? computeFeatureImportance(fitted.model, fitted.features.outputNames) : {};
  const pushed = await pushWhenPassed(run, artifact, gates);
  return {
    kind: "model",
    spec,
    data,
    learner,
    params,
    fitted,
    artifact,
    evaluation,
    baseline,
    gates,
    tuning,
    featureImportance,
    timings,
    ...(pushed ? { pushed } : {}),
  };
}
