/**
 * Text in a numeric feature, through the built CLI: `train` names the file
 * line and the offending value (not the column's first value), and its
 * advice fits — a typo among numbers is fixed or named missing, a column of
 * words belongs in categorical_features.
 */
import { beforeAll, expect, it } from "vitest";
import { createGitRepo } from "../helpers/fake-github-git.js";
import { readChurnLines } from "../helpers/churn-pipeline.js";
import { runCli } from "../helpers/processes.js";

let lines: string[];

function pipeline(numeric: string, columnTypes = ""): string {
  return `name: churn_typo
data_processing:
  data_source: { type: csv, path: data.csv${columnTypes} }
  feature_engineering:
    numeric_features: [${numeric}]
model_training:
  model_type: logistic_regression
  target_column: churn
`;
}

async function train(pipelineText: string, data: string) {
  const root = await createGitRepo({ "p.yaml": pipelineText, "data.csv": data });
  return runCli(["train", "p.yaml", "--json", "--no-push"], { cwd: root, timeoutMs: 120_000 });
}

beforeAll(async () => {
  lines = await readChurnLines(300);
});

/** The table with `five` as the age on file line 57 (data row 56). */
function withTypo(): string {
  const copy = [...lines];
  copy[56] = copy[56]!.replace(/^(C\d+),\d+,/, "$1,five,");
  return `${copy.join("\n")}\n`;
}

it("a typo in a numeric column: the line and the value, and advice to fix it", async () => {
  const run = await train(pipeline("age, tenure"), withTypo());

  expect(run.code).toBe(1);
  expect(run.stderr).toContain(
    'data.csv: line 57: feature column "age" is listed in numeric_features but holds the text "five" (289 of its 290 values are numbers, 1 text); fix the value, or add it to data_source.missing_values',
  );
  expect(run.stderr).not.toContain("list it in categorical_features");
});

it("a column of words listed as numeric: advice to list it in categorical_features", async () => {
  const run = await train(pipeline("age, contract"), `${lines.join("\n")}\n`);

  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(
    /data\.csv: line 2: feature column "contract" is listed in numeric_features but holds the text "one-year" \(300 of its 300 values are text\); list it in categorical_features/,
  );
});

it("with column_types the same line and value", async () => {
  const run = await train(pipeline("age, tenure", ", column_types: { age: numeric }"), withTypo());

  expect(run.code).toBe(1);
  expect(run.stderr).toContain(
    'data.csv: line 57: column "age" is declared numeric but holds the text "five"',
  );
});
