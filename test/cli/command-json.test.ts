/**
 * `train --json` with `model_type: command`, through the built CLI: the
 * user's script prints to stdout, and that output goes to stderr, so stdout
 * is exactly one JSON document.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { createGitRepo } from "../helpers/fake-github-git.js";
import { churnPipeline, readChurnCsv } from "../helpers/churn-pipeline.js";
import { runCli } from "../helpers/processes.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const TSX = join(REPO, "node_modules", "tsx", "dist", "loader.mjs");
const SCRIPT = join(REPO, "test", "fixtures", "pipeline", "train-logistic.ts");

it("prints one JSON document on stdout and the script's output on stderr", async () => {
  const root = await createGitRepo({
    "data.csv": await readChurnCsv(800),
    "p.yaml": churnPipeline({
      name: "churn_byo",
      modelType: "command",
      numeric: "age, tenure, monthly_charges",
      training: `  command:\n    run: node --import ${TSX} ${SCRIPT}\n`,
    }),
  });

  const run = await runCli(["train", "p.yaml", "--json", "--no-push"], { cwd: root, timeoutMs: 240_000 });

  expect(run.code, run.stderr).toBe(0);
  const document = JSON.parse(run.stdout) as { model: { type: string }; metrics: Record<string, number> };
  expect(document.model.type).toBe("command");
  expect(document.metrics.roc_auc).toBeGreaterThan(0.6);
  expect(run.stderr).toContain("trained on 640 rows");
}, 300_000);
