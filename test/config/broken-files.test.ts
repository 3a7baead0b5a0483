/**
 * Table of broken files: each must be reported at its exact line and column,
 * with a message that says what is wrong and what would be right.
 */
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatConfigIssue } from "../../src/common/errors.js";
import { validateConfigFiles } from "../../src/config/validate-files.js";

const PIPELINE = `name: churn
data_processing:
  data_source: {type: csv, path: data.csv}
  feature_engineering:
    numeric_features: [age, tenure]
    categorical_features: [gender]
model_training:
  model_type: random_forest
  target_column: churn
  test_size: 0.2
`;

const ENVIRONMENT = `name: staging
model: churn
stable: churn:v1@sha256:${"a".repeat(64)}
strategy:
  type: canary
  steps: [10, 50, 100]
  interval: 30s
`;

const OVERSIZED = `# ${"x".repeat(1024 * 1024)}\n${PIPELINE}`;

interface BrokenCase {
  name: string;
  file: string;
  text: string | Buffer;
  expected: string[];
}

const cases: BrokenCase[] = [
  {
    name: "misspelt enum value",
    file: "pipelines/churn.yaml",
    text: PIPELINE.replace("model_type: random_forest", "model_type: randomforest"),
    expected: [
      'pipelines/churn.yaml:8:15: model_training.model_type: expected one of decision_tree, random_forest, gradient_boosting, logistic_regression, linear_regression, command; got "randomforest" (did you mean "random_forest"?)',
    ],
  },
  {
    name: "unknown key with a suggestion",
    file: "pipelines/churn.yaml",
    text: PIPELINE.replace("  target_column: churn", "  target_colum: churn"),
    expected: [
      "pipelines/churn.yaml:7:1: model_training.target_column: required field is missing",
      'pipelines/churn.yaml:9:3: model_training.target_colum: unknown key "target_colum"; did you mean "target_column"?',
    ],
  },
  {
    name: "unknown top-level key",
    file: "pipelines/churn.yaml",
    text: PIPELINE + "enable_hyperparameter_tunning: true\n",
    expected: [
      'pipelines/churn.yaml:11:1: enable_hyperparameter_tunning: unknown key "enable_hyperparameter_tunning"; did you mean "enable_hyperparameter_tuning"?',
    ],
  },
  {
    name: "missing required section",
    file: "pipelines/churn.yaml",
    text: PIPELINE.split("model_training:")[0]!,
    expected: ["pipelines/churn.yaml:1:1: model_training: required field is missing"],
  },
  {
    name: "test_size out of range",
    file: "pipelines/churn.yaml",
    text: PIPELINE.replace("test_size: 0.2", "test_size: 1.5"),
    expected: ["pipelines/churn.yaml:10:14: model_training.test_size: expected a number < 1; got number 1.5"],
  },
  {
    name: "test_size zero",
    file: "pipelines/churn.yaml",
    text: PIPELINE.replace("test_size: 0.2", "test_size: 0"),
    expected: ["pipelines/churn.yaml:10:14: model_training.test_size: expected a number > 0; got number 0"],
  },
  {
    name: "test_size as text",
    file: "pipelines/churn.yaml",
    text: PIPELINE.replace("test_size: 0.2", "test_size: twenty"),
    expected: ['pipelines/churn.yaml:10:14: model_training.test_size: expected a number; got "twenty"'],
  },
  {
    name: "feature list is a string",
    file: "pipelines/churn.yaml",
    text: PIPELINE.replace("numeric_features: [age, tenure]", "numeric_features: age"),
    expected: [
      'pipelines/churn.yaml:5:23: data_processing.feature_engineering.numeric_features: expected a list; got "age"',
    ],
  },
  {
    name: "unknown data source type",
    file: "pipelines/churn.yaml",
    text: PIPELINE.replace("type: csv", "type: excel"),
    expected: [
      'pipelines/churn.yaml:3:23: data_processing.data_source.type: expected one of csv, parquet; got "excel"',
    ],
  },
  {
    name: "target listed as a feature",
    file: "pipelines/churn.yaml",
    text: PIPELINE.replace("[age, tenure]", "[age, churn]"),
    expected: [
      'pipelines/churn.yaml:5:29: data_processing.feature_engineering.numeric_features.1: target column "churn" cannot also be a feature',
    ],
  },
  {
    name: "feature listed twice",
    file: "pipelines/churn.yaml",
    text: PIPELINE.replace("categorical_features: [gender]", "categorical_features: [gender, age]"),
    expected: [
      'pipelines/churn.yaml:6:36: data_processing.feature_engineering.categorical_features.1: feature "age" is listed twice (also in numeric_features)',
    ],
  },
  {
    name: "unknown hyperparameter with a suggestion",
    file: "pipelines/churn.yaml",
    text: PIPELINE + "  params: {n_estimator: 100}\n",
    expected: [
      'pipelines/churn.yaml:11:12: model_training.params.n_estimator: random_forest has no parameter "n_estimator"; did you mean "n_estimators"?',
    ],
  },
  {
    name: "tuning enabled without a section",
    file: "pipelines/churn.yaml",
    text: PIPELINE + "enable_hyperparameter_tuning: true\n",
    expected: [
      "pipelines/churn.yaml:11:31: enable_hyperparameter_tuning: tuning is enabled but there is no hyperparameter_tuning section",
    ],
  },
  {
    name: "param_grid with an empty list",
    file: "pipelines/churn.yaml",
    text:
      PIPELINE +
      "enable_hyperparameter_tuning: true\nhyperparameter_tuning:\n  param_grid:\n    max_depth: []\n",
    expected: [
      "pipelines/churn.yaml:14:16: hyperparameter_tuning.param_grid.max_depth: expected at least 1 item(s); got 0",
    ],
  },
  {
    name: "param_grid names a parameter of another learner",
    file: "pipelines/churn.yaml",
    text:
      PIPELINE +
      "enable_hyperparameter_tuning: true\nhyperparameter_tuning:\n  param_grid:\n    learning_rate: [0.1]\n",
    expected: [
      'pipelines/churn.yaml:14:5: hyperparameter_tuning.param_grid.learning_rate: random_forest has no parameter "learning_rate"; expected one of n_estimators, max_depth, min_samples_leaf, max_features, bootstrap, class_weight, max_bins',
    ],
  },
  {
    name: "unknown tuning strategy",
    file: "pipelines/churn.yaml",
    text: PIPELINE + "hyperparameter_tuning:\n  strategy: bayes\n  param_grid: {max_depth: [3]}\n",
    expected: [
      'pipelines/churn.yaml:12:13: hyperparameter_tuning.strategy: expected one of grid, random, tpe, halving; got "bayes"',
    ],
  },
  {
    name: "regression metric on a classification task",
    file: "pipelines/churn.yaml",
    text: PIPELINE + "  task: classification\nevaluation:\n  gates:\n    - {metric: rmse, max: 1}\n",
    expected: [
      "pipelines/churn.yaml:14:16: evaluation.gates.0.metric: metric rmse does not apply to a classification task",
    ],
  },
  {
    name: "gate without a bound",
    file: "pipelines/churn.yaml",
    text: PIPELINE + "evaluation:\n  gates:\n    - metric: accuracy\n",
    expected: ["pipelines/churn.yaml:13:7: evaluation.gates.0: a gate needs min, max or compare_to"],
  },
  {
    name: "gate compares to an environment that does not exist",
    file: "pipelines/churn.yaml",
    text: PIPELINE + "evaluation:\n  gates:\n    - {metric: accuracy, compare_to: prod}\n",
    expected: [
      'pipelines/churn.yaml:13:38: evaluation.gates.0.compare_to: environment "prod" does not exist (no environments/prod.yaml)',
    ],
  },
  {
    name: "command learner without its command",
    file: "pipelines/churn.yaml",
    text: PIPELINE.replace("model_type: random_forest", "model_type: command"),
    expected: [
      "pipelines/churn.yaml:8:15: model_training.model_type: model_type command needs a model_training.command section with `run`",
    ],
  },
  {
    name: "name that is not a registry name",
    file: "pipelines/churn.yaml",
    text: PIPELINE.replace("name: churn", "name: Churn Model"),
    expected: [
      'pipelines/churn.yaml:1:7: name: expected a lowercase name of letters, digits and . _ - separators (an OCI repository name); got "Churn Model"',
    ],
  },
  {
    name: "duplicate key",
    file: "pipelines/churn.yaml",
    text: PIPELINE.replace("  test_size: 0.2", "  test_size: 0.2\n  test_size: 0.3"),
    expected: ["pipelines/churn.yaml:11:3: duplicate key: each key may appear once in a mapping"],
  },
  {
    name: "tab indentation",
    file: "pipelines/churn.yaml",
    text: PIPELINE.replace("  test_size: 0.2", "\ttest_size: 0.2"),
    expected: ["pipelines/churn.yaml:10:1: tab character used for indentation; YAML indents with spaces"],
  },
  {
    name: "billion laughs",
    file: "pipelines/churn.yaml",
    text:
      "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n" +
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
    expected: [
      'pipelines/churn.yaml:1:1: too many alias expansions (more than 100); refusing a possible "billion laughs" document',
    ],
  },
  {
    name: "binary file",
    file: "pipelines/churn.yaml",
    text: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]),
    expected: ["pipelines/churn.yaml:1:1: file is binary (NUL bytes or invalid UTF-8), not YAML"],
  },
  {
    name: "file over 1 MB",
    file: "pipelines/churn.yaml",
    text: OVERSIZED,
    expected: [
      `pipelines/churn.yaml:1:1: file is ${Buffer.byteLength(OVERSIZED)} bytes; the limit is 1 MB (1048576)`,
    ],
  },
  {
    name: "empty file",
    file: "pipelines/churn.yaml",
    text: "# nothing here\n",
    expected: ["pipelines/churn.yaml:1:1: file is empty; expected a mapping of settings"],
  },
  {
    name: "top level is a list",
    file: "pipelines/churn.yaml",
    text: "- name: churn\n",
    expected: ["pipelines/churn.yaml:1:1: expected a mapping of settings at the top level; got a list"],
  },
  {
    name: "unclosed flow sequence",
    file: "pipelines/churn.yaml",
    text: PIPELINE.replace("[age, tenure]", "[age, tenure"),
    expected: [
      "pipelines/churn.yaml:6:5: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ],
  },
  {
    name: "several problems reported together",
    file: "pipelines/churn.yaml",
    text: PIPELINE.replace("type: csv", "type: xls").replace("test_size: 0.2", "test_size: -1"),
    expected: [
      'pipelines/churn.yaml:3:23: data_processing.data_source.type: expected one of csv, parquet; got "xls"',
      "pipelines/churn.yaml:10:14: model_training.test_size: expected a number > 0; got number -1",
    ],
  },
  {
    name: "environment: unknown strategy",
    file: "environments/staging.yaml",
    text: ENVIRONMENT.replace("type: canary", "type: linear"),
    expected: [
      'environments/staging.yaml:5:9: strategy.type: expected one of simple, blue-green, canary; got "linear"',
    ],
  },
  {
    name: "environment: canary steps that do not increase",
    file: "environments/staging.yaml",
    text: ENVIRONMENT.replace("[10, 50, 100]", "[10, 5, 100]"),
    expected: ["environments/staging.yaml:6:15: strategy.steps.1: canary steps must increase; 5 follows 10"],
  },
  {
    name: "environment: canary not ending at 100",
    file: "environments/staging.yaml",
    text: ENVIRONMENT.replace("[10, 50, 100]", "[10, 50]"),
    expected: ["environments/staging.yaml:6:15: strategy.steps.1: the last canary step must be 100; got 50"],
  },
  {
    name: "environment: bad duration",
    file: "environments/staging.yaml",
    text: ENVIRONMENT.replace("interval: 30s", "interval: thirty"),
    expected: [
      'environments/staging.yaml:7:13: strategy.interval: expected a duration such as 30s, 5m or 1h, or a number of seconds; got "thirty"',
    ],
  },
  {
    name: "environment: malformed digest",
    file: "environments/staging.yaml",
    text: ENVIRONMENT.replace(`@sha256:${"a".repeat(64)}`, "@sha256:abc"),
    expected: [
      'environments/staging.yaml:3:9: stable: expected a model reference name[:tag][@sha256:<64 hex digits>], e.g. churn:v3@sha256:…; got "churn:v1@sha256:abc"',
    ],
  },
  {
    name: "environment: candidate is quarantined",
    file: "environments/staging.yaml",
    text: `${ENVIRONMENT}candidate: churn:v2@sha256:${"b".repeat(64)}\nquarantine: [sha256:${"b".repeat(64)}]\n`,
    expected: [
      `environments/staging.yaml:8:12: candidate: candidate sha256:${"b".repeat(64)} is quarantined and must not be deployed`,
    ],
  },
  {
    name: "environment: reference to another model",
    file: "environments/staging.yaml",
    text: ENVIRONMENT.replace("stable: churn:v1", "stable: fraud:v1"),
    expected: [
      `environments/staging.yaml:3:9: stable: stable "fraud:v1@sha256:${"a".repeat(64)}" is not a reference to model "churn"`,
    ],
  },
  {
    name: "environment: name differs from the file name",
    file: "environments/staging.yaml",
    text: ENVIRONMENT.replace("name: staging", "name: production"),
    expected: [
      'environments/staging.yaml:1:7: name: name "production" does not match the file name "staging"',
    ],
  },
  {
    name: "environment: unknown permission level",
    file: "environments/staging.yaml",
    text: `${ENVIRONMENT}permissions:\n  deploy: owner\n`,
    expected: [
      'environments/staging.yaml:9:11: permissions.deploy: expected one of read, triage, write, maintain, admin; got "owner"',
    ],
  },
  {
    name: "environment: error rate above 1",
    file: "environments/staging.yaml",
    text: `${ENVIRONMENT}checks:\n  error_rate: {max: 2}\n`,
    expected: ["environments/staging.yaml:9:21: checks.error_rate.max: expected a number <= 1; got number 2"],
  },
  {
    name: "bot settings: unknown merge method",
    file: ".github/meta-controller.yml",
    text: "default_environment: staging\nmerge_method: fast-forward\n",
    expected: [
      '.github/meta-controller.yml:2:15: merge_method: expected one of merge, squash, rebase; got "fast-forward"',
    ],
  },
  {
    name: "bot settings: default environment that does not exist",
    file: ".github/meta-controller.yml",
    text: "default_environment: qa\n",
    expected: [
      '.github/meta-controller.yml:1:22: default_environment: environment "qa" does not exist (no environments/qa.yaml)',
    ],
  },
];

describe("validate reports broken files at their line and column", () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "mc-broken-"));
    await mkdir(join(root, "environments"), { recursive: true });
    await writeFile(
      join(root, "environments", "production.yaml"),
      ENVIRONMENT.replace("name: staging", "name: production"),
    );
    await writeFile(join(root, "data.csv"), "age,tenure,gender,churn\n");
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("has at least 30 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)("$name", async ({ file, text, expected }) => {
    const dir = await mkdtemp(join(root, "case-"));
    await mkdir(join(dir, "environments"), { recursive: true });
    await mkdir(join(dir, "pipelines"), { recursive: true });
    await mkdir(join(dir, ".github"), { recursive: true });
    await writeFile(
      join(dir, "environments", "production.yaml"),
      ENVIRONMENT.replace("name: staging", "name: production"),
    );
    await writeFile(join(dir, "data.csv"), "age,tenure,gender,churn\n");
    await writeFile(join(dir, file), text);

    const report = await validateConfigFiles(dir, [file]);

    expect(report.valid).toBe(false);
    const errors = report.files.flatMap((f) => f.issues).filter((i) => i.severity === "error");
    expect(errors.map(formatConfigIssue)).toEqual(expected);
  });
});
