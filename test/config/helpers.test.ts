import { describe, expect, it } from "vitest";
import { editDistance, suggestClosest } from "../../src/config/did-you-mean.js";
import { parseDurationMs } from "../../src/config/duration.js";
import { parseConfigText } from "../../src/config/load-yaml.js";
import { PipelineSpec } from "../../src/config/pipeline.js";
import { EnvironmentSpec } from "../../src/config/environment.js";

describe("parseDurationMs", () => {
  it.each([
    ["500ms", 500],
    ["30s", 30_000],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["1.5s", 1500],
    [2, 2000],
  ] as const)("reads %s as %d ms", (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(["", "30", "5 minutes", "-1s", "1x"])("rejects %j", (text) => {
    expect(parseDurationMs(text)).toBeUndefined();
  });
});

describe("suggestClosest", () => {
  it.each([
    ["n_estimator", "n_estimators"],
    ["target_colum", "target_column"],
    ["randomforest", "random_forest"],
    ["Random-Forest", "random_forest"],
    ["max_dpeth", "max_depth"],
  ])("suggests %s → %s", (word, expected) => {
    expect(
      suggestClosest(word, [
        "n_estimators",
        "target_column",
        "random_forest",
        "max_depth",
        "min_samples_leaf",
      ]),
    ).toBe(expected);
  });

  it("suggests nothing for a word far from every candidate", () => {
    expect(suggestClosest("completely_unrelated", ["n_estimators", "max_depth"])).toBeUndefined();
  });

  it("computes edit distances", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("same", "same")).toBe(0);
  });
});

const SEED_PIPELINE = `name: customer_churn_prediction
data_processing:
  data_source: {type: csv, path: data/customer_data.csv}
  feature_engineering:
    numeric_features: [age, tenure, monthly_charges]
    categorical_features: [gender, partner, phone_service]
model_training:
  model_type: random_forest
  target_column: churn
  test_size: 0.2
enable_hyperparameter_tuning: true
hyperparameter_tuning:
  param_grid:
    n_estimators: [50, 100, 200]
    max_depth: [5, 10, 20, null]
`;

describe("PipelineSpec", () => {
  it("accepts the seed's pipeline as written, keeping null as 'no limit'", () => {
    const result = parseConfigText("seed.yaml", SEED_PIPELINE, PipelineSpec);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const spec = result.config.value;
    expect(spec.hyperparameter_tuning?.param_grid?.max_depth).toEqual([5, 10, 20, null]);
    expect(spec.hyperparameter_tuning?.strategy).toBe("grid");
    expect(spec.model_training.seed).toBe(42);
    expect(spec.evaluation.gates).toEqual([]);
  });

  it("locates fields of a valid file for later checks", () => {
    const result = parseConfigText("seed.yaml", SEED_PIPELINE, PipelineSpec);
    if (!result.ok) throw new Error("seed pipeline should parse");
    expect(result.config.positionOf(["data_processing", "data_source", "path"])).toEqual({
      line: 3,
      column: 34,
    });
  });
});

describe("EnvironmentSpec", () => {
  it("fills defaults for an environment that only names its model", () => {
    const result = parseConfigText("e.yaml", "name: dev\nmodel: churn\nstable: null\n", EnvironmentSpec);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.config.value.strategy).toEqual({
      type: "canary",
      steps: [10, 25, 50, 100],
      interval: "1m",
      max_failed_checks: 2,
    });
    expect(result.config.value.rollback).toEqual({ automatic: true, merge: "auto" });
    expect(result.config.value.permissions.deploy).toBe("write");
  });
});
