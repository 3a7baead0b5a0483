/**
 * `meta-controller validate` checks each learner's parameters against that
 * learner's schema, in `model_training.params` and in every tuning value,
 * and reports each bad one at its exact line and column.
 */
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/processes.js";

const head = (modelType: string) => `name: churn
data_processing:
  data_source: {type: csv, path: data.csv}
  feature_engineering:
    numeric_features: [age, tenure]
model_training:
  model_type: ${modelType}
  target_column: churn
`;

const grid = (body: string) =>
  `enable_hyperparameter_tuning: true\nhyperparameter_tuning:\n  param_grid:\n${body}`;

describe("meta-controller validate: learner parameters", () => {
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "mc-validate-params-"));
    await mkdir(join(work, "pipelines"));
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it.each([
    {
      name: "a negative max_depth",
      text: head("random_forest") + "  params:\n    max_depth: -1\n",
      expected:
        "pipelines/bad.yaml:10:16: model_training.params.max_depth: expected a number >= 1; got number -1",
    },
    {
      name: "no trees",
      text: head("random_forest") + "  params:\n    n_estimators: 0\n",
      expected:
        "pipelines/bad.yaml:10:19: model_training.params.n_estimators: expected a number >= 1; got number 0",
    },
    {
      name: "a learning rate that is a word",
      text: head("gradient_boosting") + "  params:\n    learning_rate: fast\n",
      expected:
        'pipelines/bad.yaml:10:20: model_training.params.learning_rate: expected a number; got "fast"',
    },
    {
      name: "max_features neither a fraction nor a count",
      text: head("decision_tree") + "  params:\n    max_features: 1.5\n",
      expected:
        "pipelines/bad.yaml:10:19: model_training.params.max_features: expected a fraction in (0, 1) or a whole number of features ≥ 1; got number 1.5",
    },
    {
      name: "max_features that is another word",
      text: head("random_forest") + "  params:\n    max_features: sqr\n",
      expected:
        'pipelines/bad.yaml:10:19: model_training.params.max_features: expected "sqrt", "log2", a number, null; got "sqr" (did you mean "sqrt"?)',
    },
    {
      name: "an unknown parameter name",
      text: head("gradient_boosting") + "  params:\n    learning_rte: 0.1\n",
      expected:
        'pipelines/bad.yaml:10:5: model_training.params.learning_rte: gradient_boosting has no parameter "learning_rte"; did you mean "learning_rate"?',
    },
    {
      name: "a logistic solver that does not exist",
      text: head("logistic_regression") + "  params: {solver: saga}\n",
      expected:
        'pipelines/bad.yaml:9:20: model_training.params.solver: expected one of lbfgs, newton; got "saga"',
    },
    {
      name: "a negative max_depth in the grid",
      text: head("random_forest") + grid("    max_depth: [3, -1, null]\n"),
      expected:
        "pipelines/bad.yaml:12:20: hyperparameter_tuning.param_grid.max_depth.1: expected a number >= 1; got number -1",
    },
    {
      name: "no trees in the grid",
      text: head("gradient_boosting") + grid("    n_estimators: [0, 100]\n"),
      expected:
        "pipelines/bad.yaml:12:20: hyperparameter_tuning.param_grid.n_estimators.0: expected a number >= 1; got number 0",
    },
    {
      name: "a learning rate that is a word in the grid",
      text: head("gradient_boosting") + grid("    learning_rate: [0.1, fast]\n"),
      expected:
        'pipelines/bad.yaml:12:26: hyperparameter_tuning.param_grid.learning_rate.1: expected a number; got "fast"',
    },
    {
      name: "max_features 1.5 in the grid",
      text: head("random_forest") + grid("    max_features: [sqrt, 1.5]\n"),
      expected:
        "pipelines/bad.yaml:12:26: hyperparameter_tuning.param_grid.max_features.1: expected a fraction in (0, 1) or a whole number of features ≥ 1; got number 1.5",
    },
    {
      name: "an unknown parameter name in the grid",
      text: head("random_forest") + grid("    max_dept: [3]\n"),
      expected:
        'pipelines/bad.yaml:12:5: hyperparameter_tuning.param_grid.max_dept: random_forest has no parameter "max_dept"; did you mean "max_depth"?',
    },
    {
      name: "a range end outside the schema",
      text:
        head("gradient_boosting") +
        "enable_hyperparameter_tuning: true\nhyperparameter_tuning:\n  strategy: random\n  distributions:\n    learning_rate: {type: float, low: 0, high: 0.3}\n",
      expected:
        "pipelines/bad.yaml:13:39: hyperparameter_tuning.distributions.learning_rate.low: expected a number > 0; got number 0",
    },
  ])("reports $name at its line and column", async ({ text, expected }) => {
    // Arrange
    await writeFile(join(work, "pipelines", "bad.yaml"), text);

    // Act
    const run = await runCli(["validate", "pipelines/bad.yaml"], { cwd: work });

    // Assert
    expect(run.stdout.split("\n").filter((line) => line.startsWith("error: "))).toEqual([
      `error: ${expected}`,
    ]);
    expect(run.code).toBe(1);
  });

  it("accepts every learner's parameters at their limits", async () => {
    // Arrange
    const text =
      head("gradient_boosting") +
      "  params: {max_depth: null, n_estimators: 1, learning_rate: 0.5, max_leaf_nodes: 2, max_bins: 255}\n" +
      grid("    max_depth: [1, null]\n    l2_regularization: [0, 1.5]\n");
    await writeFile(join(work, "pipelines", "good.yaml"), text);

    // Act
    const run = await runCli(["validate", "pipelines/good.yaml"], { cwd: work });

    // Assert
    expect(run.stdout).not.toContain("error:");
    expect(run.code).toBe(0);
  });
});
