/**
 * Successive halving's rungs as docs/learners.md documents them, through the
 * built CLI: the maximum resource is the learner's rounds (`n_estimators`,
 * or `max_iter`, default 100) or the training rows; rungs divide it by the
 * factor, never below `min_resource`; rung r keeps ⌈candidates / factorʳ⌉.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { createGitRepo } from "../helpers/fake-github-git.js";
import { churnPipeline, readChurnCsv, readTrialLines } from "../helpers/churn-pipeline.js";
import { runCli } from "../helpers/processes.js";

let root: string;

interface TrialLine {
  budget?: { resource: string; value: number };
}

function pipeline(params: string, halving: string): string {
  return churnPipeline({
    name: "churn_halving",
    modelType: "gradient_boosting",
    numeric: "age, tenure, monthly_charges",
    training: `  params: ${params}\n`,
    rest: `enable_hyperparameter_tuning: true
hyperparameter_tuning:
  strategy: halving
  n_trials: 9
  cv_folds: 2
  halving: ${halving}
  distributions:
    learning_rate: { type: float, low: 0.05, high: 0.5 }
`,
  });
}

/** The budgets the study gave, as "count×value" per rung in trial order. */
async function rungs(params: string, halving: string): Promise<string[]> {
  await writeFile(join(root, "p.yaml"), pipeline(params, halving));
  const out = join(root, "trials.jsonl");
  const run = await runCli(
    ["train", "p.yaml", "--json", "--no-push", "--threads", "1", "--trials-out", out],
    {
      cwd: root,
      timeoutMs: 240_000,
    },
  );
  expect(run.code, run.stderr).toBe(0);
  const trials = await readTrialLines<TrialLine>(out);
  const counts = new Map<string, number>();
  for (const t of trials) {
    const key = `${t.budget!.resource}:${t.budget!.value}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, count]) => `${count}×${key}`);
}

beforeAll(async () => {
  root = await createGitRepo({ "data.csv": await readChurnCsv(600) });
});

it.each([
  // 100 rounds by default; 100/20 = 5 < 3² allows one division: 33, then 100.
  ["{}", "{ min_resource: 20 }", ["9×n_estimators:33", "3×n_estimators:100"]],
  // Default min_resource ⌊100/3²⌋ = 11; 9 candidates allow two divisions: 11, 33, 100.
  ["{}", "{}", ["9×n_estimators:11", "3×n_estimators:33", "1×n_estimators:100"]],
  // max_iter sets the maximum resource like n_estimators.
  ["{ max_iter: 60 }", "{ min_resource: 20 }", ["9×n_estimators:20", "3×n_estimators:60"]],
  // rows: the maximum is the training rows (480 of 600 after the 20% holdout); factor 2, from 60: 60, 120, 240, 480.
  [
    "{}",
    "{ resource: rows, factor: 2, min_resource: 60 }",
    ["9×rows:60", "5×rows:120", "3×rows:240", "2×rows:480"],
  ],
])(
  "params %s, halving %s: rungs %j",
  async (params, halving, expected) => {
    expect(await rungs(params, halving)).toEqual(expected);
  },
  300_000,
);
