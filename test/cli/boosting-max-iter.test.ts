/**
 * gradient_boosting takes `max_iter`, scikit-learn's name for `n_estimators`,
 * through the built CLI: a model trained with `max_iter: 5` is the model
 * trained with `n_estimators: 5` (and not the default 100 rounds), and
 * `validate` refuses the two names with different values at the line of
 * `max_iter`.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createGitRepo } from "../helpers/fake-github-git.js";
import { churnPipeline, readChurnCsv } from "../helpers/churn-pipeline.js";
import { runCli } from "../helpers/processes.js";

let root: string;

function pipeline(params: string): string {
  return churnPipeline({
    name: "churn_boost",
    modelType: "gradient_boosting",
    numeric: "age, tenure, monthly_charges",
    categorical: "contract",
    training: `  params: ${params}\n`,
  });
}

async function trainWith(params: string): Promise<Record<string, number>> {
  await writeFile(join(root, "p.yaml"), pipeline(params));
  const run = await runCli(["train", "p.yaml", "--json", "--no-push", "--threads", "1"], {
    cwd: root,
    timeoutMs: 240_000,
  });
  expect(run.code, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as { metrics: Record<string, number> }).metrics;
}

beforeAll(async () => {
  root = await createGitRepo({ "data.csv": await readChurnCsv(800) });
});

describe("gradient_boosting max_iter", () => {
  it("trains the same model as n_estimators, unlike the default", async () => {
    const byMaxIter = await trainWith("{ max_iter: 5, learning_rate: 0.3 }");
    const byEstimators = await trainWith("{ n_estimators: 5, learning_rate: 0.3 }");
    const byDefault = await trainWith("{ learning_rate: 0.3 }");

    expect(byMaxIter).toEqual(byEstimators);
    expect(byMaxIter.log_loss).not.toBe(byDefault.log_loss);
  }, 300_000);

  it("validate refuses both names with different values, at max_iter's line", async () => {
    await writeFile(join(root, "p.yaml"), pipeline("\n    n_estimators: 100\n    max_iter: 200"));

    const run = await runCli(["validate", "p.yaml"], { cwd: root });

    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "p.yaml:12:15: model_training.params.max_iter: max_iter is scikit-learn's name for n_estimators; got n_estimators 100 and max_iter 200",
    );
  });

  it("validate accepts both names with the same value", async () => {
    await writeFile(join(root, "p.yaml"), pipeline("{ n_estimators: 50, max_iter: 50 }"));

    const run = await runCli(["validate", "p.yaml"], { cwd: root });

    expect(run.code, run.stdout + run.stderr).toBe(0);
  });
});
