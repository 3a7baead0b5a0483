/**
 * A date used as a category: `validate --data` and `train` (the built CLI)
 * warn about a categorical feature with more than 100 levels.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/processes.js";

const root = mkdtempSync(join(tmpdir(), "mc-cardinality-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, "pipelines"));
mkdirSync(join(root, "data"));

/** 400 rows; `signup` takes 200 distinct dates, `plan` three values. */
const rows = ["signup,plan,charges,churn"];
for (let i = 0; i < 400; i++) {
  const day = new Date(Date.UTC(2024, 0, 1 + (i % 200))).toISOString().slice(0, 10);
  rows.push(
    `${day},${["basic", "pro", "max"][i % 3]},${(20 + (i % 37)).toFixed(1)},${i % 4 === 0 ? "yes" : "no"}`,
  );
}
writeFileSync(join(root, "data/customers.csv"), `${rows.join("\n")}\n`);
writeFileSync(
  join(root, "pipelines/churn.yaml"),
  [
    "name: churn",
    "data_processing:",
    "  data_source: { type: csv, path: data/customers.csv }",
    "  feature_engineering:",
    "    numeric_features: [charges]",
    "    categorical_features:",
    "      - plan",
    "      - signup",
    "model_training:",
    "  model_type: decision_tree",
    "  target_column: churn",
    "",
  ].join("\n"),
);

describe("high-cardinality categorical features", () => {
  it("validate --data warns at the feature's line and stays valid", async () => {
    const run = await runCli(["validate", "--data", "pipelines/churn.yaml"], { cwd: root });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(
      'warning: pipelines/churn.yaml:8:9: data_processing.feature_engineering.categorical_features.1: categorical feature "signup" has 200 distinct values in the first 400 rows of data/customers.csv (more than 100)',
    );
    expect(run.stdout).not.toContain('"plan" has');
  });

  it("train warns in its log, naming the feature and the ways out", async () => {
    const run = await runCli(["train", "pipelines/churn.yaml", "--no-push"], {
      cwd: root,
      env: { LOG_FORMAT: "json" },
      timeoutMs: 300_000,
    });
    expect(run.code, run.stderr).toBe(0);
    const warning = run.stderr
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { level: number; feature?: string; levels?: number; msg: string })
      .find((record) => record.feature === "signup");
    expect(warning).toMatchObject({ level: 40, levels: 200 });
    expect(warning?.msg).toContain("if it is a date, list it in datetime_features");
  }, 300_000);
});
