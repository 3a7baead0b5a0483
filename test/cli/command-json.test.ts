/**
 * `train --json` with `model_type: command`, through the built CLI: the
 * user's script prints to stdout, and that output goes to stderr, so stdout
 * is exactly one JSON document.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { createGitRepo } from "../helpers/fake-github-git.js";
import { runCli } from "../helpers/processes.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const TSX = join(REPO, "node_modules", "tsx", "dist", "loader.mjs");
const SCRIPT = join(REPO, "test", "fixtures", "pipeline", "train-logistic.ts");

it("prints one JSON document on stdout and the script's output on stderr", async () => {
  const data = await readFile(join(REPO, "data", "customer_data.csv"), "utf8");
  const root = await createGitRepo({
    "data.csv": `${data.split("\n").slice(0, 801).join("\n")}\n`,
    "p.yaml": `name: churn_byo
data_processing:
  data_source: { type: csv, path: data.csv }
  feature_engineering:
    numeric_features: [age, tenure, monthly_charges]
model_training:
  model_type: command
  target_column: churn
  command:
    run: node --import ${TSX} ${SCRIPT}
`,
  });

  const run = await runCli(["train", "p.yaml", "--json", "--no-push"], { cwd: root, timeoutMs: 240_000 });

  expect(run.code, run.stderr).toBe(0);
  const document = JSON.parse(run.stdout) as { model: { type: string }; metrics: Record<string, number> };
  expect(document.model.type).toBe("command");
  expect(document.metrics.roc_auc).toBeGreaterThan(0.6);
  expect(run.stderr).toContain("trained on 640 rows");
}, 300_000);
