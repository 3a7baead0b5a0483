import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/processes.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

describe("meta-controller validate", () => {
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "mc-validate-"));
    for (const dir of ["pipelines", "environments", ".github", "data"]) {
      await cp(join(REPO, dir), join(work, dir), { recursive: true });
    }
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("exits 0 on the bundled examples", async () => {
    const run = await runCli(["validate"], { cwd: REPO });
    expect(run.stdout).toContain("✓ 4 file(s) valid");
    expect(run.code).toBe(0);
  });

  it("prints one JSON document with --json", async () => {
    const run = await runCli(["validate", "--json"], { cwd: REPO });
    const document = JSON.parse(run.stdout) as { valid: boolean; files: { path: string; kind: string }[] };
    expect(document.valid).toBe(true);
    expect(document.files.map((f) => [f.path, f.kind])).toEqual([
      ["pipelines/customer-churn.yaml", "pipeline"],
      ["environments/production.yaml", "environment"],
      ["environments/staging.yaml", "environment"],
      [".github/meta-controller.yml", "bot-config"],
    ]);
  });

  it("exits 1 and lists every problem of every file", async () => {
    await writeFile(
      join(work, "pipelines", "broken.yaml"),
      "name: broken\ndata_processing:\n  data_source: {type: csv, path: missing.csv}\n  feature_engineering: {numeric_features: [a]}\nmodel_training:\n  model_type: forest\n  target_column: y\n",
    );
    await writeFile(
      join(work, "environments", "qa.yaml"),
      "name: qa\nmodel: churn\nstable: null\nstrategy: {type: canary, steps: [50]}\n",
    );

    const run = await runCli(["validate", "--root", work]);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'error: pipelines/broken.yaml:6:15: model_training.model_type: expected one of decision_tree, random_forest, gradient_boosting, logistic_regression, linear_regression, command; got "forest"',
    );
    expect(run.stdout).toContain(
      "error: environments/qa.yaml:4:34: strategy.steps.0: the last canary step must be 100; got 50",
    );
    expect(run.stdout).toContain("✗ 2 of 6 file(s) invalid");
  });

  it("warns, without failing, about a data file that does not exist", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mc-validate-warn-"));
    await cp(join(REPO, "pipelines"), join(dir, "pipelines"), { recursive: true });
    await cp(join(REPO, "environments"), join(dir, "environments"), { recursive: true });

    const run = await runCli(["validate", "--root", dir, "--json"]);

    const document = JSON.parse(run.stdout) as {
      valid: boolean;
      files: { issues: { severity: string; message: string; line: number }[] }[];
    };
    expect(run.code).toBe(0);
    expect(document.valid).toBe(true);
    expect(document.files[0]!.issues).toEqual([
      expect.objectContaining({
        severity: "warning",
        line: 6,
        message: 'data file "data/customer_data.csv" does not exist (training will fail)',
      }),
    ]);
    await rm(dir, { recursive: true, force: true });
  });

  it("reports a path that does not exist", async () => {
    const run = await runCli(["validate", "pipelines/nope.yaml"], { cwd: REPO });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("error: pipelines/nope.yaml:1:1: file does not exist");
  });

  it("lists its commands in --help", async () => {
    const run = await runCli(["--help"], { cwd: REPO });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/validate \[options\] \[paths\.\.\.\]/);
  });
});
