/**
 * A metric that does not fit the inferred task is refused as soon as the
 * target is read, through the built CLI: before tuning, naming the field,
 * the metric, the inferred task and the rule that inferred it.
 */
import { beforeAll, expect, it } from "vitest";
import { createGitRepo } from "../helpers/fake-github-git.js";
import { churnPipeline, readChurnCsv } from "../helpers/churn-pipeline.js";
import { runCli } from "../helpers/processes.js";

let data: string;

function pipeline(target: string, extra: string): string {
  return churnPipeline({
    name: "metric_task",
    modelType: "random_forest",
    target,
    numeric: "age, tenure",
    rest: extra,
  });
}

const TUNING = `enable_hyperparameter_tuning: true
hyperparameter_tuning:
  strategy: random
  n_trials: 50
  metric: roc_auc
  distributions:
    n_estimators: { type: int, low: 50, high: 300 }
`;

beforeAll(async () => {
  data = await readChurnCsv(400);
});

it.each([
  {
    name: "an accuracy gate on a regression target",
    target: "monthly_charges",
    extra: "evaluation:\n  gates:\n    - { metric: accuracy, min: 0.8 }\n",
    message:
      'evaluation.gates.0.metric: metric accuracy does not apply to a regression task. The task is regression, inferred from the target column "monthly_charges" (rule many_or_fractional_values: the target holds fractional values or many distinct integers); use a regression metric (rmse, mae, r2, mape) or set model_training.task: classification',
  },
  {
    name: "a roc_auc tuning metric on a regression target",
    target: "total_charges",
    extra: TUNING,
    message:
      "hyperparameter_tuning.metric: metric roc_auc does not apply to a regression task. The task is regression",
  },
  {
    name: "an r2 gate on a 0/1 target",
    target: "churn",
    extra: "evaluation:\n  gates:\n    - { metric: r2, min: 0.1 }\n",
    message:
      'The task is classification, inferred from the target column "churn" (rule few_integer_values: the target holds few distinct integers',
  },
])("refuses $name before tuning", async ({ target, extra, message }) => {
  const root = await createGitRepo({ "p.yaml": pipeline(target, extra), "data.csv": data });

  const run = await runCli(["train", "p.yaml", "--no-push"], { cwd: root, timeoutMs: 120_000 });

  expect(run.code).toBe(1);
  expect(run.stderr).toContain(message);
  expect(run.stdout + run.stderr).not.toMatch(/trial|fold/i);
});
