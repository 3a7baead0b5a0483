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
import { computeFeatureImportance } from "../learners/feature-importance.js";
import type { Trial } from "../tuning/samplers.js";
import type { Shard } from "../tuning/shard.js";
import type { LearnerParams } from "../learners/learner-table.js";
import type { StudyProgress } from "../tuning/study.js";
import type { ModelRegistry, PushResult } from "../registry/model-registry.js";
import { evaluateChampions } from "./champions.js";
import { fitPipelineModel, type FitRequest, type PipelineModel } from "./fit-model.js";
import { buildCommandArtifact } from "./command-artifact.js";
import { readGitCommit } from "./git-commit.js";
import { buildModelArtifact, type ModelArtifact } from "./model-artifact.js";
import { prepareData, type PreparedData } from "./prepare-data.js";
import { buildFeatureOptions } from "./spec-mapping.js";
import { mergeTuningShards, tuneHyperparameters, type TuningSummary } from "./tune.js";

/** How to train. */
export interface TrainOptions {
  /** Repository root: data paths are relative to it. */
  readonly root: string;
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

/**
 * Trains a pipeline. With `shard`, runs only that share of the tuning study
 * and returns its trials.
 */
export async function trainPipeline(options: TrainOptions): Promise<TrainResult | ShardResult> {
  const timings: TrainTimings = { load_ms: 0, tune_ms: 0, fit_ms: 0, evaluate_ms: 0 };
  const startAll = performance.now();
  const spec = await loadPipeline(options.root, options.pipelinePath);
  const learner = spec.model_training.model_type;
  const seed = options.seed ?? spec.model_training.seed;
  const log = options.logger;

  let start = performance.now();
  const data = await prepareData(spec, options.root);
  timings.load_ms = since(start);
  log?.info(
    {
      rows_train: data.train.rows.length,
      rows_test: data.test.rows.length,
      task: data.task,
      rule: data.taskRule,
    },
    `loaded ${data.train.rows.length} training and ${data.test.rows.length} holdout rows (${data.task}: ${data.taskRule})`,
  );

  const nClasses = data.task === "classification" ? data.classes.length : 1;
  const gitCommit = (await readGitCommit(options.root)) ?? UNKNOWN_COMMIT;
  if (gitCommit === UNKNOWN_COMMIT)
    log?.warn("not a git checkout and no GITHUB_SHA: the card records commit 0000000");
  const now = (options.now ?? (() => new Date()))();

  let tuning: TuningSummary | null = null;
  let fitted: PipelineModel | null = null;
  let params: LearnerParams;
  let artifact: ModelArtifact;
  if (learner === "command") {
    start = performance.now();
    artifact = await buildCommandArtifact(
      { spec, data, root: options.root, seed, ...(log ? { logger: log } : {}) },
      { gitCommit, now, startedAt: startAll },
    );
    params = artifact.card.params;
    timings.fit_ms = since(start);
    start = performance.now();
  } else {
    const base: FitRequest = {
      learner,
      params: spec.model_training.params,
      featureOptions: buildFeatureOptions(spec),
      context: {
        task: data.task,
        nClasses,
        seed,
        ...(options.threads !== undefined ? { threads: options.threads } : {}),
      },
    };
    start = performance.now();
    if (options.mergeTrials && options.mergeTrials.length > 0) {
      tuning = await mergeTuningShards(spec, data, options.mergeTrials);
    } else if (spec.enable_hyperparameter_tuning || options.shard) {
      tuning = await tuneHyperparameters({
        spec,
        data,
        base,
        seed,
        ...(options.shard ? { shard: options.shard } : {}),
        ...(options.trialsOut ? { trialsOut: options.trialsOut } : {}),
        ...(options.onTrial ? { onTrial: options.onTrial } : {}),
      });
    }
    timings.tune_ms = since(start);
    if (options.shard && tuning) return { kind: "shard", spec, data, tuning, timings };

    params = { ...spec.model_training.params, ...tuning?.best_params };
    start = performance.now();
    fitted = await fitPipelineModel({ ...base, params }, data.train.frame, data.train.rows, data.train.y);
    timings.fit_ms = since(start);

    start = performance.now();
    artifact = await buildModelArtifact(
      { spec, data, params, fitted, tuning },
      { gitCommit, now, trainingTimeMs: since(startAll) },
    );
  }
  const evaluation = artifact.evaluation;
  const baseline = evaluateBaseline(data.task, nClasses, data.train.y, data.test.y);
  const champions = options.registry
    ? await evaluateChampions(spec, data, { root: options.root, registry: options.registry })
    : {};
  const gates = evaluateGates(spec.evaluation.gates, evaluation.metrics, champions);
  timings.evaluate_ms = since(start);

  const featureImportance = fitted ? computeFeatureImportance(fitted.model, fitted.features.outputNames) : {};
  let pushed: PushResult | undefined;
  if (options.push && options.registry && gates.passed) {
    pushed = await options.registry.push({
      name: spec.registry?.name ?? spec.name,
      onnx: artifact.onnx,
      card: artifact.card,
    });
    log?.info(
      { ref: pushed.ref, digest: pushed.digest },
      `pushed ${pushed.pinnedRef} to ${options.registry.location}`,
    );
  } else if (options.push && !gates.passed) {
    log?.warn("the model failed its gates and was not pushed");
  }
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
