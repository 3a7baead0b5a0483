/**
 * Step 2 of training: hyperparameter search with cross-validation, the whole
 * study, one shard of it, or the merge of shard files.
 */
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { PipelineSpec } from "../config/pipeline.js";
import { mergeTrials } from "../tuning/merge-trials.js";
import type { Trial } from "../tuning/samplers.js";
import { wholeStudy, type Shard } from "../tuning/shard.js";
import { buildSearchSpace, computeSpaceHash, type Params } from "../tuning/space.js";
import { DataError } from "../common/errors.js";
import { buildStudyIdentity, runStudy, type StudyProgress } from "../tuning/study.js";
import { createTrialsWriter } from "../tuning/trials-file.js";
import { buildFolds, createCvObjective } from "./cross-validate.js";
import type { FitRequest } from "./fit-model.js";
import type { PreparedData } from "./prepare-data.js";
import { buildSamplerSpec, buildSearchSpaceSpec, chooseTuningMetric } from "./spec-mapping.js";

/** The tuning summary the reports and `--json` show. */
export interface TuningSummary {
  readonly strategy: string;
  readonly metric: string;
  readonly direction: "maximize" | "minimize";
  readonly cv_folds: number;
  readonly trials: readonly Trial[];
  readonly best_params: Params;
  readonly best_score: number;
  /** Shards merged (1-based), when the trials came from shard files. */
  readonly shards?: readonly number[];
}

/** How to tune. */
export interface TuneOptions {
  readonly spec: PipelineSpec;
  readonly data: PreparedData;
  readonly base: FitRequest;
  readonly seed: number;
  readonly shard?: Shard;
  /** Writes the trials JSONL here as trials complete. */
  readonly trialsOut?: string;
  readonly onTrial?: (trial: Trial, progress: StudyProgress) => void;
}

/** Runs the study (or one shard). Returns the trials, and the best parameters when the shard had any trials. */
export async function tuneHyperparameters(options: TuneOptions): Promise<TuningSummary> {
  const { spec, data, base, seed } = options;
  const tuning = spec.hyperparameter_tuning!;
  const { metric, direction } = chooseTuningMetric(spec, data.task);
  const space = buildSearchSpace(buildSearchSpaceSpec(tuning));
  const { sampler, nTrials } = buildSamplerSpec(tuning, base.params, data.train.rows.length);
  const folds = buildFolds(data.train, data.task, tuning.cv_folds, seed);
  const studyOptions = {
    space,
    sampler,
    nTrials,
    direction,
    seed,
    // Trials run one at a time: the learners spread one fit over the worker threads themselves.
    objective: createCvObjective({ train: data.train, folds, metric, base }),
    ...(options.shard ? { shard: options.shard } : {}),
  };

  // A matrix job names a file under a folder the checkout does not have yet (meta-controller-trials/).
  if (options.trialsOut) await mkdir(dirname(options.trialsOut), { recursive: true });
  const stream = options.trialsOut ? createWriteStream(options.trialsOut) : undefined;
  try {
    const writer = stream
      ? createTrialsWriter(stream, buildStudyIdentity(studyOptions), options.shard ?? wholeStudy)
      : undefined;
    const result = await runStudy({
      ...studyOptions,
      onTrial: (trial, progress) => {
        writer?.write(trial);
        options.onTrial?.(trial, progress);
      },
    });
    return {
      strategy: tuning.strategy,
      metric,
      direction,
      cv_folds: tuning.cv_folds,
      trials: result.trials,
      best_params: result.best?.params ?? {},
      best_score: result.best?.score ?? Number.NaN,
    };
  } finally {
    if (stream)
      await new Promise<void>((resolve, reject) =>
        stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
  }
}

/** Reads shard trials files and returns the merged summary. */
export async function mergeTuningShards(
  spec: PipelineSpec,
  data: PreparedData,
  files: readonly string[],
): Promise<TuningSummary> {
  const tuning = spec.hyperparameter_tuning!;
  const { metric, direction } = chooseTuningMetric(spec, data.task);
  const merged = await mergeTrials(files);
  const expected = computeSpaceHash(buildSearchSpace(buildSearchSpaceSpec(tuning)));
  if (merged.study.space_hash !== expected) {
    throw new DataError(
      `the trials files belong to another search space than ${spec.name}'s hyperparameter_tuning (space hash ${merged.study.space_hash}, expected ${expected})`,
    );
  }
  return {
    strategy: tuning.strategy,
    metric,
    direction,
    cv_folds: tuning.cv_folds,
    trials: merged.trials,
    best_params: merged.best?.params ?? {},
    best_score: merged.best?.score ?? Number.NaN,
    shards: merged.shards,
  };
}
