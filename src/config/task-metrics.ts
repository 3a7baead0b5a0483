/**
 * The task kinds and the metric names, declared once: the pipeline schema,
 * evaluation, gates and tuning all derive their lists and types from here.
 */
import { z } from "zod";

/** What a model predicts. */
export const TASKS = ["classification", "regression"] as const;
/** A task kind: `classification` or `regression`. */
export type Task = (typeof TASKS)[number];
/** zod enum of {@link TASKS}. */
export const TaskName = z.enum(TASKS);

/** Classification metric names, as `--json` prints them. */
export const CLASSIFICATION_METRICS = [
  "accuracy",
  "balanced_accuracy",
  "precision",
  "recall",
  "f1",
  "precision_macro",
  "recall_macro",
  "f1_macro",
  "roc_auc",
  "pr_auc",
  "log_loss",
] as const;
/** Regression metric names, as `--json` prints them. */
export const REGRESSION_METRICS = ["rmse", "mae", "r2", "mape"] as const;
/** Every metric name. */
export const METRIC_NAMES = [...CLASSIFICATION_METRICS, ...REGRESSION_METRICS] as const;
/** A metric name of either task. */
export type MetricName = (typeof METRIC_NAMES)[number];
/** zod enum of {@link METRIC_NAMES}. */
export const MetricName = z.enum(METRIC_NAMES).describe("A metric name.");

/** The metrics each task reports. */
export const METRICS_BY_TASK: { readonly [T in Task]: readonly MetricName[] } = {
  classification: CLASSIFICATION_METRICS,
  regression: REGRESSION_METRICS,
};

/** Metrics where lower is better. */
export const LOWER_IS_BETTER: ReadonlySet<string> = new Set<MetricName>(["log_loss", "rmse", "mae", "mape"]);

/** The metric tuning optimises when the pipeline names none. */
export const DEFAULT_TUNING_METRIC = {
  classification: "roc_auc",
  regression: "r2",
} as const satisfies { readonly [T in Task]: MetricName };
