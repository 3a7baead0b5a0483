/**
 * The `train --json` document (snake_case keys), one shape for the CLI, the
 * Action's outputs and the library: scripts rely on it.
 */
import { findPositiveClass } from "../data/target.js";
import type { LearnerParams } from "../learners/learner-table.js";
import type { Params } from "../tuning/space.js";
import type { ShardResult, TrainResult } from "./train.js";
import { formatMetric } from "../common/format-number.js";

/** `train --json` for a trained model. */
export interface TrainDocument {
  pipeline: string;
  task: string;
  task_rule: string;
  classes: readonly string[];
  /** The class precision, recall, F1, ROC AUC and PR AUC score (binary classification), else null. */
  positive_class: string | null;
  /** `ref` (`name:vN`) and `digest` (`sha256:…`) once pushed. */
  model: {
    type: string;
    params: LearnerParams;
    ref?: string;
    digest?: string;
    pinned_ref?: string;
    tags?: readonly string[];
  };
  /** ONNX export checked against the TypeScript model on the holdout. */
  parity: { rows: number; max_difference: number; tied_rows: number } | null;
  metrics: Readonly<Record<string, number>>;
  unavailable_metrics: Readonly<Record<string, string>>;
  /** The same metrics for the prior/mean baseline (majority class, or the training mean). */
  baseline_metrics: Readonly<Record<string, number>>;
  confusion_matrix?: number[][];
  gates: { passed: boolean; results: readonly unknown[] };
  tuning: {
    strategy: string;
    metric: string;
    cv_folds: number;
    trials: number;
    best_params: Params;
    best_score: number;
    shards?: readonly number[];
  } | null;
  feature_importance: Readonly<Record<string, number>>;
  data: {
    rows_train: number;
    rows_test: number;
    dropped_rows: number;
    files: readonly { path: string; sha256: string }[];
  };
  timings: { load_ms: number; tune_ms: number; fit_ms: number; evaluate_ms: number };
}

/** `train --json --shard i/n`: the shard's trials. */
export interface ShardDocument {
  pipeline: string;
  shard: string;
  tuning: {
    strategy: string;
    metric: string;
    trials: readonly unknown[];
    best_params: Params;
    best_score: number | null;
  };
  timings: { load_ms: number; tune_ms: number };
}

function summarizeTuning(result: TrainResult): TrainDocument["tuning"] {
  const tuning = result.tuning;
  if (!tuning) return null;
  return {
    strategy: tuning.strategy,
    metric: tuning.metric,
    cv_folds: tuning.cv_folds,
    trials: tuning.trials.length,
    best_params: tuning.best_params,
    best_score: tuning.best_score,
    ...(tuning.shards ? { shards: tuning.shards } : {}),
  };
}

/** Builds the document of a trained model. */
export function buildTrainDocument(result: TrainResult): TrainDocument {
  return {
    pipeline: result.spec.name,
    task: result.data.task,
    task_rule: result.data.taskRule,
    classes: result.data.classes,
    positive_class: findPositiveClass(result.data.task, result.data.classes) ?? null,
    model: {
      type: result.learner,
      params: result.params,
      ...(result.pushed
        ? {
            ref: result.pushed.ref,
            digest: result.pushed.digest,
            pinned_ref: result.pushed.pinnedRef,
            tags: result.pushed.tags,
          }
        : {}),
    },
    parity: result.artifact.parity
      ? {
          rows: result.artifact.parity.rows,
          max_difference: result.artifact.parity.maxDifference,
          tied_rows: result.artifact.parity.tiedRows.length,
        }
      : null,
    metrics: result.evaluation.metrics,
    unavailable_metrics: result.evaluation.unavailable,
    baseline_metrics: result.baseline.metrics,
    ...(result.evaluation.confusion_matrix ? { confusion_matrix: result.evaluation.confusion_matrix } : {}),
    gates: { passed: result.gates.passed, results: result.gates.results },
    tuning: summarizeTuning(result),
    feature_importance: result.featureImportance,
    data: {
      rows_train: result.data.train.rows.length,
      rows_test: result.data.test.rows.length,
      dropped_rows: result.data.droppedRows,
      files: result.data.dataFiles,
    },
    timings: result.timings,
  };
}

/** Builds the document of a tuning shard. */
export function buildShardDocument(result: ShardResult): ShardDocument {
  const { tuning } = result;
  const shard = tuning.trials[0]?.shard;
  return {
    pipeline: result.spec.name,
    shard: shard ? `${shard.index}/${shard.count}` : "",
    tuning: {
      strategy: tuning.strategy,
      metric: tuning.metric,
      trials: tuning.trials,
      best_params: tuning.best_params,
      best_score: Number.isFinite(tuning.best_score) ? tuning.best_score : null,
    },
    timings: { load_ms: result.timings.load_ms, tune_ms: result.timings.tune_ms },
  };
}

/** A plain-text summary for people. */
export function renderTrainSummary(document: TrainDocument): string {
  const lines: string[] = [];
  lines.push(
    `pipeline ${document.pipeline}: ${document.model.type}, ${document.task} (${document.task_rule})`,
  );
  if (document.positive_class !== null)
    lines.push(
      `positive class: ${document.positive_class} (model_training.positive_class; default: the label that sorts last)`,
    );
  lines.push(`data: ${document.data.rows_train} training rows, ${document.data.rows_test} holdout rows`);
  if (document.tuning) {
    lines.push(
      `tuning: ${document.tuning.strategy}, ${document.tuning.trials} trials, best ${document.tuning.metric} ${formatMetric(document.tuning.best_score)} (${document.tuning.cv_folds}-fold CV) with ${JSON.stringify(document.tuning.best_params)}`,
    );
  }
  lines.push("metrics on the holdout:");
  lines.push(`  ${"metric".padEnd(18)} ${"model".padStart(8)} ${"baseline".padStart(9)}`);
  for (const [name, value] of Object.entries(document.metrics)) {
    const baseline = document.baseline_metrics[name];
    lines.push(
      `  ${name.padEnd(18)} ${formatMetric(value).padStart(8)} ${(baseline === undefined ? "—" : formatMetric(baseline)).padStart(9)}`,
    );
  }
  lines.push(`gates: ${document.gates.passed ? "passed" : "FAILED"}`);
  for (const gate of document.gates.results as { passed: boolean; message: string }[]) {
    lines.push(`  ${gate.passed ? "✓" : "✗"} ${gate.message}`);
  }
  const top = Object.entries(document.feature_importance)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([name, value]) => `${name} ${value.toFixed(3)}`);
  lines.push(`top features: ${top.join(", ")}`);
  if (document.parity) {
    lines.push(
      `onnx parity: ${document.parity.rows} holdout rows, max |difference| ${document.parity.max_difference.toExponential(2)}`,
    );
  }
  if (document.model.ref) lines.push(`pushed ${document.model.pinned_ref ?? document.model.ref}`);
  else lines.push(document.gates.passed ? "not pushed" : "not pushed: the gates failed");
  const t = document.timings;
  lines.push(
    `time: load ${t.load_ms} ms, tune ${t.tune_ms} ms, fit ${t.fit_ms} ms, evaluate ${t.evaluate_ms} ms`,
  );
  return lines.join("\n");
}
