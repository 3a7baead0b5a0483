/**
 * `validate --data` (the built CLI) and the Action's validation open the
 * data: a wrong target, text in a numeric column and an empty file are
 * reported at the YAML line of the field that names them.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createWorkspace, runAction } from "../action/action-harness.js";
import { runCli } from "../helpers/processes.js";

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** 60 iris-like rows; line 57 (data row 56) has "five" where a number belongs. */
function irisCsv(): string {
  const lines = ["sepal_length,sepal_width,species"];
  for (let i = 0; i < 60; i++)
    lines.push(
      `${i === 55 ? "five" : (4.5 + (i % 10) / 10).toFixed(1)},3.${i % 9},${i % 2 ? "setosa" : "virginica"}`,
    );
  return `${lines.join("\n")}\n`;
}

const IRIS_YAML = [
  "name: iris",
  "data_processing:",
  "  data_source: { type: csv, path: data/iris.csv }",
  "  feature_engineering:",
  "    numeric_features:",
  "      - sepal_length",
  "      - sepal_width",
  "model_training:",
  "  model_type: decision_tree",
  "  target_column: specie",
  "",
].join("\n");

const EMPTY_YAML = [
  "name: empty",
  "data_processing:",
  "  data_source:",
  "    type: csv",
  "    path: data/empty.csv",
  "  feature_engineering:",
  "    numeric_features: [x]",
  "model_training:",
  "  model_type: decision_tree",
  "  target_column: y",
  "",
].join("\n");

interface ValidateJson {
  valid: boolean;
  files: { path: string; issues: { line: number; field: string; message: string; severity: string }[] }[];
}

function createProject(): string {
  const root = mkdtempSync(join(tmpdir(), "mc-validate-data-"));
  folders.push(root);
  mkdirSync(join(root, "pipelines"));
  mkdirSync(join(root, "data"));
  writeFileSync(join(root, "data/iris.csv"), irisCsv());
  writeFileSync(join(root, "data/empty.csv"), "");
  writeFileSync(join(root, "pipelines/iris.yaml"), IRIS_YAML);
  writeFileSync(join(root, "pipelines/empty.yaml"), EMPTY_YAML);
  return root;
}

describe("validate --data", () => {
  it("passes without --data, which does not open the data", async () => {
    const run = await runCli(["validate", "pipelines/iris.yaml"], { cwd: createProject() });
    expect(run.code, run.stdout + run.stderr).toBe(0);
  });

  it("reports the wrong target, the text in a numeric column and the empty file at their YAML lines", async () => {
    const root = createProject();
    const run = await runCli(["validate", "--data", "--json", "pipelines"], { cwd: root });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as ValidateJson;
    const issues = Object.fromEntries(report.files.map((f) => [f.path, f.issues]));

    expect(issues["pipelines/iris.yaml"]).toEqual([
      {
        line: 10,
        column: 18,
        field: "model_training.target_column",
        message:
          'target column "specie" is not in data/iris.csv (did you mean "species"?); its columns are "sepal_length", "sepal_width", "species"',
        severity: "error",
      },
      {
        line: 6,
        column: 9,
        field: "data_processing.feature_engineering.numeric_features.0",
        message: expect.stringMatching(
          /^numeric feature "sepal_length" holds text: .*data\/iris\.csv: line 57.*"five"/,
        ) as unknown,
        severity: "error",
      },
    ]);
    expect(issues["pipelines/empty.yaml"]).toEqual([
      expect.objectContaining({
        line: 5,
        field: "data_processing.data_source.path",
        message: expect.stringContaining("empty.csv: file is empty") as unknown,
        severity: "error",
      }),
    ]);

    const text = await runCli(["validate", "--data", "pipelines/iris.yaml"], { cwd: root });
    expect(text.stdout).toContain(
      'error: pipelines/iris.yaml:10:18: model_training.target_column: target column "specie" is not in data/iris.csv',
    );
  });

  it("checks the metrics against the task it infers from the target, at the metric's line", async () => {
    const root = createProject();
    // sepal_width as a regression target: fractional values; an accuracy gate cannot apply.
    writeFileSync(
      join(root, "pipelines/width.yaml"),
      [
        "name: width",
        "data_processing:",
        "  data_source: { type: csv, path: data/iris.csv }",
        "  feature_engineering:",
        "    categorical_features: [species]",
        "model_training:",
        "  model_type: decision_tree",
        "  target_column: sepal_width",
        "evaluation:",
        "  gates:",
        "    - { metric: accuracy, min: 0.8 }",
        "",
      ].join("\n"),
    );
    const run = await runCli(["validate", "--data", "--json", "pipelines/width.yaml"], { cwd: root });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as ValidateJson;
    expect(report.files[0]!.issues).toEqual([
      expect.objectContaining({
        line: 11,
        field: "evaluation.gates.0.metric",
        message: expect.stringMatching(
          /metric accuracy does not apply to a regression task.*inferred from the target column "sepal_width" \(rule many_or_fractional_values.*first 60 rows/,
        ) as unknown,
      }),
    ]);
  });

  it("runs in the Action's validation, as annotations at the lines", async () => {
    const workspace = await createWorkspace({
      "pipelines/iris.yaml": IRIS_YAML,
      "data/iris.csv": irisCsv(),
    });
    folders.push(workspace);
    const run = await runAction({
      workspace,
      inputs: { command: "validate", pipelines: "pipelines/iris.yaml", "changed-only": "false" },
      eventName: "push",
    });
    expect(run.code).not.toBe(0);
    expect(run.stdout).toMatch(
      /::error title=[^\n]*,file=pipelines\/iris\.yaml,line=10,col=18::model_training\.target_column: target column "specie" is not in data\/iris\.csv/,
    );
    expect(run.stdout).toMatch(
      /::error title=[^\n]*,file=pipelines\/iris\.yaml,line=6,col=9::[^\n]*numeric feature "sepal_length" holds text[^\n]*line 57[^\n]*five/,
    );
  });
});
