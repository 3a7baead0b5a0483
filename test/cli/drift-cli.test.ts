/**
 * `meta-controller drift` as a user runs it (the built CLI): Parquet windows,
 * choosing the compared columns, and what the report says it left out.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetWriteFile } from "hyparquet-writer";
import { afterAll, describe, expect, it } from "vitest";
import { createRandom } from "../../src/common/random.js";
import { runCli } from "../helpers/processes.js";

const root = mkdtempSync(join(tmpdir(), "mc-drift-cli-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Rows {
  customer_id: string[];
  signup_date: string[];
  charges: number[];
  plan: string[];
  churn: string[];
}

/** A window of customers: an ID and a date that always differ between windows, two features and a label. */
function buildRows(n: number, seed: number, shift: number, firstId: number): Rows {
  const random = createRandom(seed);
  const rows: Rows = { customer_id: [], signup_date: [], charges: [], plan: [], churn: [] };
  for (let i = 0; i < n; i++) {
    rows.customer_id.push(`C${firstId + i}`);
    rows.signup_date.push(`202${firstId > 5000 ? 5 : 1}-0${1 + (i % 9)}-1${i % 10}`);
    rows.charges.push(Number((50 + 10 * random.normal() + shift).toFixed(3)));
    rows.plan.push(["basic", "pro", "max"][random.int(3)]!);
    rows.churn.push(random.next() < 0.3 ? "yes" : "no");
  }
  return rows;
}

function writeCsv(name: string, rows: Rows, columns: readonly (keyof Rows)[]): void {
  const lines = [columns.join(",")];
  for (let i = 0; i < rows.charges.length; i++) lines.push(columns.map((c) => String(rows[c][i])).join(","));
  writeFileSync(join(root, name), `${lines.join("\n")}\n`);
}

const reference = buildRows(600, 1, 0, 1);
const current = buildRows(400, 2, 0, 9000);
const shifted = buildRows(400, 3, 15, 9000);
writeCsv("reference.csv", reference, ["customer_id", "signup_date", "charges", "plan", "churn"]);
writeCsv("current-unlabelled.csv", current, ["customer_id", "signup_date", "charges", "plan"]);
parquetWriteFile({
  filename: join(root, "shifted.parquet"),
  columnData: [
    { name: "charges", data: shifted.charges, type: "DOUBLE" },
    { name: "plan", data: shifted.plan, type: "STRING" },
  ],
});

writeFileSync(
  join(root, "churn.yaml"),
  [
    "name: churn",
    "data_processing:",
    "  data_source: { type: csv, path: reference.csv }",
    "  feature_engineering:",
    "    numeric_features: [charges]",
    "    categorical_features: [plan]",
    "model_training:",
    "  model_type: logistic_regression",
    "  target_column: churn",
    "",
  ].join("\n"),
);

interface DriftJson {
  drift: boolean;
  features: { name: string; drift: boolean }[];
  excluded_columns: { name: string; reason: string }[];
}

const SAME_WINDOW = [
  "drift",
  "--reference",
  "reference.csv",
  "--current",
  "current-unlabelled.csv",
  "--no-multivariate",
];

describe("meta-controller drift --current x.parquet", () => {
  it("reads a Parquet window and finds the shift in it", async () => {
    const run = await runCli(
      [
        "drift",
        "--reference",
        "reference.csv",
        "--current",
        "shifted.parquet",
        "--columns",
        "charges,plan",
        "--json",
        "--no-multivariate",
      ],
      { cwd: root },
    );
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as DriftJson;
    expect(report.features.map((f) => [f.name, f.drift])).toEqual([
      ["charges", true],
      ["plan", false],
    ]);
  });
});

describe("meta-controller drift: which columns are compared", () => {
  it("refuses a current window without the label, and says how to leave it out", async () => {
    const run = await runCli(SAME_WINDOW, { cwd: root });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'the current data (current-unlabelled.csv) has no column "churn", which the reference (reference.csv) has; leave it out with --exclude churn',
    );
    expect(run.stderr).toContain("--pipeline <file>");
  });

  it("with --pipeline leaves out the target, the ID and the date, says so, and finds no drift", async () => {
    const run = await runCli([...SAME_WINDOW, "--pipeline", "churn.yaml", "--json"], { cwd: root });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as DriftJson;
    expect(report.features.map((f) => f.name)).toEqual(["charges", "plan"]);
    expect(report.drift).toBe(false);
    expect(report.excluded_columns).toEqual([
      { name: "customer_id", reason: "not a feature of churn.yaml (an ID, a date or an unused column)" },
      { name: "signup_date", reason: "not a feature of churn.yaml (an ID, a date or an unused column)" },
      { name: "churn", reason: "the target of churn.yaml" },
    ]);

    const text = await runCli([...SAME_WINDOW, "--pipeline", "churn.yaml"], { cwd: root });
    expect(text.stdout).toMatch(
      /^not compared: customer_id \(not a feature of churn\.yaml.*\), signup_date .*, churn \(the target of churn\.yaml\)$/m,
    );
  });

  it("without a pipeline, the ID and the date drift until --exclude leaves them out", async () => {
    const all = await runCli([...SAME_WINDOW, "--exclude", "churn", "--json"], { cwd: root });
    expect(all.code, all.stderr).toBe(0);
    const drifted = (JSON.parse(all.stdout) as DriftJson).features.filter((f) => f.drift).map((f) => f.name);
    expect(drifted).toEqual(["customer_id", "signup_date"]);

    const trimmed = await runCli([...SAME_WINDOW, "--exclude", "churn,customer_id,signup_date", "--json"], {
      cwd: root,
    });
    const report = JSON.parse(trimmed.stdout) as DriftJson;
    expect(report.drift).toBe(false);
    expect(report.excluded_columns.map((e) => [e.name, e.reason])).toEqual([
      ["customer_id", "--exclude"],
      ["signup_date", "--exclude"],
      ["churn", "--exclude"],
    ]);
  });

  it("names an unknown --columns entry and the columns the reference has", async () => {
    const run = await runCli([...SAME_WINDOW, "--columns", "charges,plann"], { cwd: root });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      '--columns: the reference data (reference.csv) has no column "plann"; its columns are "customer_id", "signup_date", "charges", "plan", "churn"',
    );
  });
});
