import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError } from "../../src/common/errors.js";
import { buildTrainDocument } from "../../src/pipeline/train-document.js";
import { trainPipeline, type TrainResult } from "../../src/pipeline/train.js";
import { parseShard } from "../../src/tuning/shard.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const DATA = join(REPO, "data", "customer_data.csv");

function pipeline(body: string): string {
  return `name: churn_small
data_processing:
  data_source: {type: csv, path: ${DATA}}
  feature_engineering:
    numeric_features: [age, tenure, monthly_charges]
    categorical_features: [gender, partner, contract]
${body}`;
}

const LOGISTIC_GRID = pipeline(`model_training:
  model_type: logistic_regression
  target_column: churn
  test_size: 0.25
  seed: 7
enable_hyperparameter_tuning: true
hyperparameter_tuning:
  strategy: grid
  param_grid:
    C: [0.01, 0.1, 1, 10]
  cv_folds: 3
  metric: roc_auc
evaluation:
  gates:
    - {metric: roc_auc, min: 0.99}
`);

const BOOSTING_RANDOM = pipeline(`model_training:
  model_type: gradient_boosting
  target_column: churn
  seed: 3
  params: {n_estimators: 20}
enable_hyperparameter_tuning: true
hyperparameter_tuning:
  strategy: random
  n_trials: 4
  distributions:
    learning_rate: {type: float, low: 0.05, high: 0.3, log: true}
    max_leaf_nodes: {type: int, low: 4, high: 31}
  cv_folds: 2
`);

describe("trainPipeline", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "mc-train-"));
    await writeFile(join(dir, "logistic.yaml"), LOGISTIC_GRID);
    await writeFile(join(dir, "boosting.yaml"), BOOSTING_RANDOM);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("tunes a grid by cross-validation, fits the best parameters and reports failed gates", async () => {
    const result = (await trainPipeline({
      root: dir,
      allowOutsideRoot: true,
      pipelinePath: "logistic.yaml",
      threads: 1,
    })) as TrainResult;

    expect(result.kind).toBe("model");
    expect(result.tuning?.trials.map((t) => t.params.C)).toEqual([0.01, 0.1, 1, 10]);
    const best = [...result.tuning!.trials].sort((a, b) => b.score - a.score || a.number - b.number)[0]!;
    expect(result.params.C).toBe(best.params.C);
    expect(result.data.train.rows.length).toBe(3750);
    expect(result.data.test.rows.length).toBe(1250);
    expect(result.evaluation.metrics.roc_auc).toBeGreaterThan(0.8);
    expect(result.evaluation.metrics.accuracy).toBeGreaterThan(result.baseline.metrics.accuracy! + 0.04);
    expect(result.gates.passed).toBe(false);
    expect(result.gates.results[0]!.message).toMatch(/^roc_auc 0\.\d{4} < min 0\.9900$/);
  });

  it("gives identical parameters and metrics for the same seed, whatever the thread count", async () => {
    const one = (await trainPipeline({
      root: dir,
      allowOutsideRoot: true,
      pipelinePath: "boosting.yaml",
      threads: 1,
    })) as TrainResult;
    const two = (await trainPipeline({
      root: dir,
      allowOutsideRoot: true,
      pipelinePath: "boosting.yaml",
      threads: 2,
    })) as TrainResult;
    const other = (await trainPipeline({
      root: dir,
      allowOutsideRoot: true,
      pipelinePath: "boosting.yaml",
      threads: 2,
      seed: 4,
    })) as TrainResult;

    const strip = (r: TrainResult) => {
      const { timings: _timings, ...rest } = buildTrainDocument(r);
      return rest;
    };
    expect(strip(two)).toEqual(strip(one));
    expect(other.params).not.toEqual(one.params);
  });

  it("merging 4 shards gives the same best parameters as one unsharded run", async () => {
    const whole = (await trainPipeline({
      root: dir,
      allowOutsideRoot: true,
      pipelinePath: "logistic.yaml",
      threads: 1,
    })) as TrainResult;
    const files: string[] = [];
    for (let i = 1; i <= 4; i++) {
      const file = join(dir, `trials-${i}.jsonl`);
      const shard = await trainPipeline({
        root: dir,
        allowOutsideRoot: true,
        pipelinePath: "logistic.yaml",
        threads: 1,
        shard: parseShard(`${i}/4`),
        trialsOut: file,
      });
      expect(shard.kind).toBe("shard");
      files.push(file);
    }

    const merged = (await trainPipeline({
      root: dir,
      allowOutsideRoot: true,
      pipelinePath: "logistic.yaml",
      threads: 1,
      mergeTrials: files,
    })) as TrainResult;

    expect(merged.tuning?.shards).toEqual([1, 2, 3, 4]);
    expect(merged.params).toEqual(whole.params);
    expect(merged.tuning?.best_score).toBe(whole.tuning?.best_score);
    expect(merged.evaluation.metrics).toEqual(whole.evaluation.metrics);
  });

  it("refuses trials files from another search space", async () => {
    const files = [join(dir, "other-1.jsonl"), join(dir, "other-2.jsonl")];
    for (const [i, file] of files.entries()) {
      await trainPipeline({
        root: dir,
        allowOutsideRoot: true,
        pipelinePath: "boosting.yaml",
        threads: 1,
        shard: parseShard(`${i + 1}/2`),
        trialsOut: file,
      });
    }

    await expect(
      trainPipeline({ root: dir, allowOutsideRoot: true, pipelinePath: "logistic.yaml", mergeTrials: files }),
    ).rejects.toThrow(/trials files belong to another search space than churn_small/);
  });

  it.each([
    [
      "a missing data file",
      LOGISTIC_GRID.replace(DATA, join(REPO, "data", "nope.csv")),
      /nope\.csv: file does not exist/,
    ],
    [
      "a missing column, listing the ones that exist",
      LOGISTIC_GRID.replace("[gender, partner, contract]", "[gender, partner, plan]"),
      /"plan".*customer_id/s,
    ],
    [
      "a missing target column",
      LOGISTIC_GRID.replace("target_column: churn", "target_column: churned"),
      /churned/,
    ],
  ])("fails clearly on %s", async (_name, text, message) => {
    await writeFile(join(dir, "bad.yaml"), text);
    const attempt = trainPipeline({ root: dir, allowOutsideRoot: true, pipelinePath: "bad.yaml" });
    await expect(attempt).rejects.toBeInstanceOf(DataError);
    await expect(
      trainPipeline({ root: dir, allowOutsideRoot: true, pipelinePath: "bad.yaml" }),
    ).rejects.toThrow(message);
  });
});
