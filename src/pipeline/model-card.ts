/**
 * The model card of a trained model: what it is, how it was made, from
 * which data, how it did on the holdout (on the ONNX artifact), and the
 * reference profile of its training rows for drift monitoring.
 */
import { TOOL_VERSION } from "../common/version.js";
import type { PipelineSpec } from "../config/pipeline.js";
import { takeRows } from "../data/frame.js";
import { buildReferenceProfile } from "../monitoring/profile/profile.js";
import type { CardFeature } from "../registry/model-card-schema.js";
import type { PushInput } from "../registry/model-registry.js";
import type { LearnerParams } from "../learners/learner-table.js";
import type { WorkingTreeState } from "./git-commit.js";
import type { PreparedData } from "./prepare-data.js";
import type { TuningSummary } from "./tune.js";

/** Class labels as the graph emits them: integers for integer classes, else strings. */
export function toGraphClasses(classes: readonly string[]): (string | number)[] {
  return classes.every((c) => /^[+-]?\d+$/.test(c)) ? classes.map(Number) : [...classes];
}

/** Everything a card records besides what it derives from the data. */
export interface CardInput {
  readonly spec: PipelineSpec;
  readonly data: PreparedData;
  readonly features: readonly CardFeature[];
  readonly metrics: Readonly<Record<string, number>>;
  readonly params: LearnerParams;
  readonly tuning: TuningSummary | null;
  readonly gitCommit: string;
  /** The pipeline and data files against HEAD; absent outside a git checkout. */
  readonly workingTree?: WorkingTreeState | undefined;
  readonly now: Date;
  readonly trainingTimeMs: number;
}

/** Builds the card to push (the registry sets `name` and `version`). */
export function buildModelCard(input: CardInput): PushInput["card"] {
  const { spec, data, tuning } = input;
  const featureNames = new Set(input.features.map((f) => f.name));
  const trainingRows = takeRows(
    {
      nRows: data.train.frame.nRows,
      columns: data.train.frame.columns.filter((c) => featureNames.has(c.name)),
    },
    data.train.rows,
  );
  return {
    schema_version: 1,
    created_at: input.now.toISOString(),
    git_commit: input.gitCommit,
    ...(input.workingTree
      ? {
          git_dirty: input.workingTree.dirty,
          ...(input.workingTree.dirty
            ? { uncommitted_files: input.workingTree.files.map((f) => ({ ...f })) }
            : {}),
        }
      : {}),
    pipeline: spec,
    data_files: data.dataFiles.map((f) => ({ ...f })),
    task: data.task,
    target: spec.model_training.target_column,
    ...(data.task === "classification" ? { classes: toGraphClasses(data.classes) } : {}),
    ...(data.task === "classification" && data.classes.length === 2
      ? { positive_class: toGraphClasses(data.classes)[1]! }
      : {}),
    features: [...input.features],
    metrics: input.metrics,
    params: input.params,
    tuning: tuning
      ? {
          strategy: tuning.strategy,
          metric: tuning.metric,
          trials: tuning.trials.length,
          best_params: tuning.best_params,
          best_score: tuning.best_score,
        }
      : null,
    training_time_ms: input.trainingTimeMs,
    tool_version: TOOL_VERSION,
    reference_profile: buildReferenceProfile(trainingRows),
  };
}
