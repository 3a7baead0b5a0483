/**
 * Metrics against the task, once the target is read: with the task
 * inferred, the schema could not check that `accuracy` or `roc_auc` fits,
 * and a mismatch would otherwise surface after tuning (at the gate) or in
 * the middle of cross-validation.
 */
import { DataError } from "../common/errors.js";
import { listNamedMetrics, type PipelineSpec } from "../config/pipeline.js";
import { METRICS_BY_TASK } from "../config/task-metrics.js";
import { TASK_RULE_TEXT, type TaskRule } from "../data/target.js";
import type { Task } from "../learners/model.js";

/**
 * Throws a DataError naming every metric that does not apply to `task`, the
 * field that names it, the task and the rule that inferred it.
 */
export function checkMetricsFitTask(spec: PipelineSpec, task: Task, rule: TaskRule): void {
  const wrong = listNamedMetrics(spec).filter(({ metric }) => !METRICS_BY_TASK[task].includes(metric));
  if (wrong.length === 0) return;
  const other: Task = task === "classification" ? "regression" : "classification";
  const target = JSON.stringify(spec.model_training.target_column);
  const fields = wrong.map(
    ({ metric, path }) => `${path.join(".")}: metric ${metric} does not apply to a ${task} task`,
  );
  throw new DataError(
    `${fields.join("; ")}. The task is ${task}, inferred from the target column ${target} (rule ${rule}: ${TASK_RULE_TEXT[rule]}); ` +
      `use a ${task} metric (${METRICS_BY_TASK[task].join(", ")}) or set model_training.task: ${other}`,
  );
}
