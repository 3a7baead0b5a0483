/**
 * The bring-your-own learner example (examples/own-learner/train.mjs), run
 * by the built CLI as docs/learners.md shows: its model.onnx meets the
 * contract (inputs named as the features, `label`/`probabilities` or
 * `prediction`), passes the input check, and is evaluated on the holdout —
 * with text labels, a positive class that is not the default, and a
 * categorical input the example takes and ignores; and for regression.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, expect, it } from "vitest";
import { createGitRepo } from "../helpers/fake-github-git.js";
import { churnPipeline, readChurnLines } from "../helpers/churn-pipeline.js";
import { runCli } from "../helpers/processes.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const EXAMPLE = join(REPO, "examples", "own-learner", "train.mjs");
let data: string;

function pipeline(target: string, extra = ""): string {
  return churnPipeline({
    name: "own_learner",
    modelType: "command",
    target,
    numeric: "age, tenure, monthly_charges",
    categorical: "contract",
    training: `${extra}  command:\n    run: node ${EXAMPLE}\n`,
  });
}

async function train(pipelineText: string) {
  const root = await createGitRepo({ "p.yaml": pipelineText, "data.csv": data });
  const run = await runCli(["train", "p.yaml", "--json", "--no-push"], { cwd: root, timeoutMs: 240_000 });
  expect(run.code, run.stderr).toBe(0);
  return {
    run,
    document: JSON.parse(run.stdout) as {
      metrics: Record<string, number>;
      baseline_metrics: Record<string, number>;
      classes: string[];
    },
  };
}

beforeAll(async () => {
  const lines = await readChurnLines(1200);
  data = `${[
    `${lines[0]!},status`,
    ...lines.slice(1).map((l) => `${l},${l.endsWith(",1") ? "lapsed" : "renewed"}`),
  ].join("\n")}\n`;
});

it("classification with text labels and positive_class: the example's model is evaluated and beats the baseline", async () => {
  const { run, document } = await train(pipeline("status", "  positive_class: lapsed\n"));

  expect(run.stderr).toContain("own learner: classification on 960 rows, 3 numeric features");
  expect(document.classes).toEqual(["renewed", "lapsed"]);
  expect(document.metrics.roc_auc).toBeGreaterThan(0.7);
  expect(document.metrics.log_loss).toBeLessThan(document.baseline_metrics.log_loss!);
}, 300_000);

it("regression: the example's prediction output is evaluated and beats the mean", async () => {
  const { document } = await train(pipeline("total_charges"));

  expect(document.metrics.r2).toBeGreaterThan(0.5);
  expect(document.metrics.rmse).toBeLessThan(document.baseline_metrics.rmse!);
}, 300_000);
