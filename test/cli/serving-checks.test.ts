/**
 * `evaluate --serving` and `drift --serving`: the Action's `command:
 * evaluate` and `command: drift` as CLI commands, run as a user runs them
 * on a workspace whose production environment serves a model trained into
 * a registry in a temp folder.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkspace, environmentYaml, pipelineYaml } from "../action/action-harness.js";
import { runCli } from "../helpers/processes.js";

let workspace: string;
let registry: string;
let trained: { model: { pinned_ref: string; digest: string }; metrics: Record<string, number> };

const cli = (args: readonly string[]) =>
  runCli(["--root", workspace, ...args, "--registry", registry], { cwd: workspace, timeoutMs: 180_000 });

beforeAll(async () => {
  workspace = await createWorkspace({ "pipelines/churn.yaml": pipelineYaml({ name: "churn_small" }) });
  registry = await mkdtemp(join(tmpdir(), "mc-serving-registry-"));
  const run = await cli(["train", "pipelines/churn.yaml", "--json"]);
  expect(run.code, run.stderr).toBe(0);
  trained = JSON.parse(run.stdout) as typeof trained;
}, 240_000);

afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
  await rm(registry, { recursive: true, force: true });
});

describe("the serving checks from the command line", () => {
  it("say that production serves nothing yet", async () => {
    const run = await cli(["evaluate", "--serving", "pipelines/churn.yaml", "--json"]);

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      pipeline: "churn_small",
      gates_passed: true,
      environments: [{ environment: "production", stable: null, metrics: null, gates: null }],
    });
  });

  it("re-evaluate the serving model, reproducing the metrics it was trained with, and apply the gates", async () => {
    // Arrange
    const ref = trained.model.pinned_ref;
    await writeFile(join(workspace, "environments/production.yaml"), environmentYaml(ref));

    // Act
    const evaluated = await cli(["evaluate", "--serving", "pipelines/churn.yaml", "--json"]);
    const drift = await cli(["drift", "--serving", "pipelines/churn.yaml", "--json", "--fail-on-drift"]);

    // Assert
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const report = JSON.parse(evaluated.stdout) as {
      gates_passed: boolean;
      environments: { stable: string; metrics: Record<string, number> }[];
    };
    expect(report.gates_passed).toBe(true);
    expect(report.environments[0]!.stable).toBe(ref);
    expect(report.environments[0]!.metrics.roc_auc).toBe(trained.metrics.roc_auc);
    expect(drift.code, drift.stderr).toBe(0);
    const driftReport = JSON.parse(drift.stdout) as {
      drift: boolean;
      environments: { digest: string; report: { drift: boolean; n_current: number } }[];
    };
    expect(driftReport.drift).toBe(false);
    expect(driftReport.environments[0]!.digest).toBe(trained.model.digest);
    expect(driftReport.environments[0]!.report.n_current).toBe(5000);
  });

  it("fail the gate with exit 1 when the serving model no longer meets it", async () => {
    await writeFile(
      join(workspace, "pipelines/strict.yaml"),
      pipelineYaml({ name: "churn_small", gates: "    - { metric: roc_auc, min: 0.999 }\n" }),
    );

    const run = await cli(["evaluate", "--serving", "pipelines/strict.yaml"]);

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/production: churn_small:v1@sha256:[a-f0-9]{64} — .*gates FAILED/);
  });

  it.each([
    [
      ["evaluate", "--serving", "pipelines/churn.yaml", "churn_small:v1"],
      /give no <model-ref> and no --data/,
    ],
    [
      ["drift", "--serving", "pipelines/churn.yaml", "--current", "data/customer_data.csv"],
      /give no --reference or --current/,
    ],
    [["drift", "--current", "data/customer_data.csv"], /give --reference and --current, or --serving/],
  ])("refuse %j", async (args, message) => {
    const run = await cli(args);

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
  });
});
