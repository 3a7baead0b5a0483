/**
 * Files stay in the repository: `meta-controller train` (the built CLI)
 * refuses a pipeline whose data path leads out of the repository root —
 * `/etc/passwd`, `../outside.csv` — and quotes nothing of such a file;
 * `--allow-outside-root` lets the operator allow it.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli } from "../helpers/processes.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
let parent: string;
let root: string;

function pipeline(path: string): string {
  return `name: churn_paths
data_processing:
  data_source: {type: csv, path: ${JSON.stringify(path)}}
  feature_engineering:
    numeric_features: [age, tenure, monthly_charges]
    categorical_features: [partner, contract]
model_training:
  model_type: logistic_regression
  target_column: churn
`;
}

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), "mc-paths-"));
  root = join(parent, "repo");
  await mkdir(root);
  await promisify(execFile)("git", ["init", "-q"], { cwd: root });
  // A well-formed table outside the repository, whose values must not reach a card or a report.
  await writeFile(join(parent, "outside.csv"), await readFile(join(REPO, "data", "customer_data.csv")));
});

afterAll(async () => {
  await rm(parent, { recursive: true, force: true });
});

it.each(["/etc/passwd", "../outside.csv"])(
  "refuses the data path %s and quotes nothing of the file",
  async (path) => {
    await writeFile(join(root, "p.yaml"), pipeline(path));

    const run = await runCli(["train", "p.yaml", "--no-push", "--json"], { cwd: root });

    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toContain("outside the repository root");
    expect(run.stdout + run.stderr).not.toMatch(/root:x:0:0|customer_id|monthly_charges,/);
  },
);

it("reads a path outside the root when the operator passes --allow-outside-root", async () => {
  await writeFile(join(root, "p.yaml"), pipeline("../outside.csv"));

  const run = await runCli(["train", "p.yaml", "--no-push", "--json", "--allow-outside-root"], { cwd: root });

  expect(run.code, run.stderr).toBe(0);
});
