/**
 * Tuning: search spaces, samplers (grid, random, TPE, successive halving),
 * studies run against an objective callback, shards and their trials files,
 * and progress for people. The pipeline supplies the objective (k-fold CV of
 * a learner with the pipeline's metric); nothing here knows about learners.
 */
export { TuningError } from "./errors.js";
export { buildGrid, gridPoint, type Grid } from "./grid.js";
export {
  buildHalvingPlan,
  halvingResources,
  type HalvingResource,
  type Rung,
  type TrialBudget,
} from "./halving.js";
export { mergeTrials } from "./merge-trials.js";
export { createProgressReporter, type ProgressOptions, type ProgressReporter } from "./progress.js";
export {
  checkSamplerSpec,
  compareTrials,
  samplerNames,
  type SamplerName,
  type SamplerSpec,
  type Trial,
} from "./samplers.js";
export { checkShard, parseShard, wholeStudy, type Shard } from "./shard.js";
export {
  buildSearchSpace,
  computeSpaceHash,
  type Distribution,
  type DistributionSpec,
  type ParamValue,
  type Params,
  type SearchSpace,
  type SearchSpaceSpec,
} from "./space.js";
export {
  buildStudyIdentity,
  runStudy,
  selectBestTrial,
  type Direction,
  type Objective,
  type StudyIdentity,
  type StudyOptions,
  type StudyProgress,
  type StudyResult,
} from "./study.js";
export { defaultTpeOptions, type TpeOptions } from "./tpe.js";
export {
  createTrialsWriter,
  formatTrialLine,
  formatTrialsFile,
  formatTrialsHeader,
  mergeTrialsFiles,
  parseTrialsFile,
  type MergedTrials,
  type TextSink,
  type TrialsFile,
  type TrialsHeader,
} from "./trials-file.js";
