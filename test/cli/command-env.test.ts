/**
 * A training script gets only what it needs: `meta-controller train` (the
 * built CLI) runs a `model_type: command` pipeline whose script dumps its
 * environment, with the secrets a CI job holds in the CLI's own
 * environment. None of them arrives; a name the pipeline lists does.
 */
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli } from "../helpers/processes.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const TSX = join(REPO, "node_modules", "tsx", "dist", "loader.mjs");
const SCRIPT = join(REPO, "test", "fixtures", "pipeline", "train-logistic.ts");
const SECRETS = {
  INPUT_GITHUB_TOKEN: "ghs_inputtokenvalue0123456789",
  GITHUB_TOKEN: "ghs_githubtokenvalue0123456789",
  REGISTRY_PASSWORD: "registry-password-value-42",
  OPENAI_API_KEY: "sk-openai-key-value-0123456789",
  AWS_SECRET_ACCESS_KEY: "aws-secret-value-0123456789",
};

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "mc-command-env-"));
  await cp(join(REPO, "data"), join(root, "data"), { recursive: true });
  await promisify(execFile)("git", ["init", "-q"], { cwd: root });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

it("passes no secret of the runner to the training script, and the names the pipeline lists", async () => {
  const dump = join(root, "env-dump.txt");
  await writeFile(
    join(root, "byo.yaml"),
    `name: churn_env
data_processing:
  data_source: {type: csv, path: data/customer_data.csv}
  feature_engineering:
    numeric_features: [age, tenure, monthly_charges]
    categorical_features: [partner, contract]
model_training:
  model_type: command
  target_column: churn
  command:
    run: env > ${dump} && node --import ${TSX} ${SCRIPT}
    timeout: 5m
    env: [TRAINING_SETTING]
`,
  );

  const run = await runCli(["train", "byo.yaml", "--no-push", "--json"], {
    cwd: root,
    env: { ...SECRETS, TRAINING_SETTING: "listed-value" },
  });

  expect(run.code, run.stderr).toBe(0);
  const seen = await readFile(dump, "utf8");
  expect(Object.values(SECRETS).filter((v) => seen.includes(v))).toEqual([]);
  expect(seen).toContain("TRAINING_SETTING=listed-value");
  expect(seen).toMatch(/^META_CONTROLLER_OUTPUT_DIR=/m);
  expect(seen).toMatch(/^PATH=/m);
});
