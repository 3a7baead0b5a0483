import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/processes.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

/**
 * A copy of the seed's pipeline and data in a temporary folder: training pushes
 * the model and moves tags in `.meta-controller/registry` under the root, and
 * the user's own registry in the checkout must stay as it was.
 */
const ROOT = mkdtempSync(join(tmpdir(), "mc-train-cli-"));
cpSync(join(REPO, "pipelines/customer-churn.yaml"), join(ROOT, "pipelines/customer-churn.yaml"));
cpSync(join(REPO, "data/customer_data.csv"), join(ROOT, "data/customer_data.csv"));
// The gate that compares with production reads the environment file.
cpSync(join(REPO, "environments"), join(ROOT, "environments"), { recursive: true });
afterAll(() => rmSync(ROOT, { recursive: true, force: true }));

interface TrainJson {
  pipeline: string;
  task: string;
  model: { type: string; params: Record<string, unknown> };
  metrics: Record<string, number>;
  baseline_metrics: Record<string, number>;
  gates: { passed: boolean; results: { metric: string; passed: boolean }[] };
  tuning: { strategy: string; trials: number; best_params: Record<string, unknown> };
  feature_importance: Record<string, number>;
  timings: Record<string, number>;
}

describe("meta-controller train on the seed's pipeline", () => {
  it("grid-tunes, trains and beats the majority-class baseline by a clear margin", async () => {
    const run = await runCli(["train", "pipelines/customer-churn.yaml", "--json"], {
      cwd: ROOT,
      timeoutMs: 600_000,
    });

    expect(run.code, run.stderr).toBe(0);
    const document = JSON.parse(run.stdout) as TrainJson;
    expect(document.pipeline).toBe("customer_churn_prediction");
    expect(document.task).toBe("classification");
    expect(document.model.type).toBe("random_forest");
    expect(document.tuning.strategy).toBe("grid");
    expect(document.tuning.trials).toBe(12);
    expect([50, 100, 200]).toContain(document.tuning.best_params.n_estimators);
    expect([5, 10, 20, null]).toContain(document.tuning.best_params.max_depth);
    expect(document.metrics.accuracy).toBeGreaterThan(document.baseline_metrics.accuracy! + 0.04);
    expect(document.metrics.roc_auc).toBeGreaterThan(0.8);
    expect(document.baseline_metrics.roc_auc).toBe(0.5);
    expect(document.gates.passed).toBe(true);
    expect(Object.keys(document.feature_importance)).toContain("tenure");
    expect(Object.keys(document.timings).sort()).toEqual(["evaluate_ms", "fit_ms", "load_ms", "tune_ms"]);
    // The model went to the temporary root's registry.
    expect(existsSync(join(ROOT, ".meta-controller/registry/customer_churn_prediction/index.json"))).toBe(
      true,
    );
  }, 600_000);

  it("rejects a malformed --shard", async () => {
    const run = await runCli(
      ["train", "pipelines/customer-churn.yaml", "--shard", "5/4", "--trials-out", "/tmp/x"],
      { cwd: ROOT },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/shard/i);
  });
});
