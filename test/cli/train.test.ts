import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/processes.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

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
      cwd: REPO,
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
  }, 600_000);

  it("rejects a malformed --shard", async () => {
    const run = await runCli(
      ["train", "pipelines/customer-churn.yaml", "--shard", "5/4", "--trials-out", "/tmp/x"],
      { cwd: REPO },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/shard/i);
  });
});
