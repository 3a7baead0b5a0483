/**
 * The Action (built entry, real process) refuses to run a fork's training
 * command on `pull_request_target`, where the job holds the base
 * repository's secrets; the same pipeline from a branch of the repository
 * itself is not refused.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { git } from "../helpers/fake-github-git.js";
import { createWorkspace, pullRequestPayload, runAction } from "./action-harness.js";

const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

function commandPipeline(marker: string): string {
  return `name: churn_fork
data_processing:
  data_source: { type: csv, path: data/customer_data.csv }
  feature_engineering:
    numeric_features: [age, tenure, monthly_charges]
model_training:
  model_type: command
  target_column: churn
  command:
    run: touch ${marker} && exit 3
`;
}

it.each([
  ["a fork", true, true],
  ["the repository itself", false, false],
])("on pull_request_target from %s, refuses the command: %s", async (_name, fork, refused) => {
  const scratch = await mkdtemp(join(tmpdir(), "mc-fork-"));
  dirs.push(scratch);
  const marker = join(scratch, "command-ran");
  const workspace = await createWorkspace({ "pipelines/byo.yaml": commandPipeline(marker) });
  dirs.push(workspace);
  const base = await git(workspace, ["rev-parse", "HEAD"]);

  const run = await runAction({
    workspace,
    eventName: "pull_request_target",
    payload: pullRequestPayload(base, { fork }),
    inputs: { "changed-only": "false", registry: join(scratch, "registry") },
  });

  const output = run.stdout + run.stderr;
  expect(run.code).not.toBe(0);
  expect(output.includes("refused on a pull_request_target run from a fork")).toBe(refused);
  expect(existsSync(marker)).toBe(!refused);
});
