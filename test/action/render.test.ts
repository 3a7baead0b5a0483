/**
 * Pure pieces of the Action: charts, report tables, outputs, changed-only
 * selection, comment body and annotations. Expected values are worked out
 * by hand from the definitions in the comments.
 */
import { describe, expect, it } from "vitest";
import { buildAnnotation } from "../../src/action/annotations.js";
import { hasPipelineChanged, readEventBase } from "../../src/action/changed.js";
import { buildOutputValues, type PipelineOutputs } from "../../src/action/outputs.js";
import { buildCommentBody } from "../../src/action/post-report.js";
import {
  computeBestSoFar,
  renderImportanceChart,
  renderTuningChart,
  resamplePr,
  resampleRoc,
} from "../../src/action/render-charts.js";
import {
  renderChampionTable,
  renderConfusionMatrix,
  renderGatesTable,
  renderPipelineReport,
} from "../../src/action/render-report.js";
import type { GateResult } from "../../src/evaluation/gates.js";
import { parseReportMarkers } from "../../src/github/report-marker.js";
import type { TrainDocument } from "../../src/pipeline/train-document.js";

const SHA = "a".repeat(40);

describe("curve resampling", () => {
  // A staircase ROC: (0,0) (0,0.5) (0.5,0.5) (0.5,1) (1,1).
  const roc = { x: [0, 0, 0.5, 0.5, 1], y: [0, 0.5, 0.5, 1, 1] };

  it.each([
    [0, 0.5],
    [1, 0.5],
    [9, 0.5],
    [10, 1],
    [20, 1],
  ])("ROC at grid step %i (fpr %i/20) is the highest tpr reached by then: %f", (step, tpr) => {
    expect(resampleRoc(roc)[step]).toBe(tpr);
  });

  // PR points (recall, precision): (0,1) (0.5,1) (0.5,0.5) (1,0.5).
  const pr = { x: [0, 0.5, 0.5, 1], y: [1, 1, 0.5, 0.5] };

  it.each([
    [0, 1],
    [10, 1],
    [11, 0.5],
    [20, 0.5],
  ])("PR at grid step %i is the interpolated precision: %f", (step, precision) => {
    expect(resamplePr(pr)[step]).toBe(precision);
  });

  it("always has 21 points", () => {
    expect(resampleRoc(roc)).toHaveLength(21);
    expect(resamplePr(pr)).toHaveLength(21);
  });
});

describe("charts", () => {
  it.each([
    ["maximize", [0.5, 0.7, 0.7, 0.9]],
    ["minimize", [0.5, 0.5, 0.2, 0.2]],
  ] as const)("best so far, %s, in trial-number order", (direction, best) => {
    // Arrange: trials arrive out of order, as merged shards do
    const trials = [
      { number: 3, score: 0.9 },
      { number: 0, score: 0.5 },
      { number: 2, score: 0.2 },
      { number: 1, score: 0.7 },
    ];

    // Act
    const result = computeBestSoFar(trials, direction);

    // Assert
    expect(result).toEqual({ numbers: [0, 1, 2, 3], best });
  });

  it("renders the tuning chart with bars per trial and the best-so-far line", () => {
    const chart = renderTuningChart(
      [
        { number: 1, score: 0.6 },
        { number: 0, score: 0.8 },
      ],
      "roc_auc",
      "maximize",
    );
    expect(chart).toContain('x-axis "trial" [0, 1]');
    expect(chart).toContain("bar [0.8, 0.6]");
    expect(chart).toContain("line [0.8, 0.8]");
  });

  it("orders feature importance largest first, quoting names so they cannot break the chart", () => {
    const chart = renderImportanceChart({ age: 0.2, 'say "hi"': 0.5, tenure: 1.25 });
    expect(chart).toContain('x-axis ["tenure", "say  hi ", "age"]');
    expect(chart).toContain("bar [1.25, 0.5, 0.2]");
    expect(chart).toContain('y-axis "importance" 0 --> 1.25');
  });
});

const gates: GateResult[] = [
  { metric: "roc_auc", passed: true, value: 0.85, min: 0.75, message: "roc_auc 0.8500 ≥ 0.75" },
  {
    metric: "roc_auc",
    passed: false,
    value: 0.8,
    compare_to: "production",
    champion_ref: "churn:v1@sha256:" + "b".repeat(64),
    champion_value: 0.83,
    max_regression: 0.02,
    message: "roc_auc 0.8000 is 0.03 below production's 0.8300",
  },
];

describe("report tables", () => {
  it("renders one gate per row with its result", () => {
    const table = renderGatesTable(gates);
    expect(table.split("\n")).toEqual([
      "|  | metric | value | gate | result |",
      "| --- | --- | --- | --- | --- |",
      "| ✅ | roc_auc | 0.8500 | ≥ 0.7500 | roc_auc 0.8500 ≥ 0.75 |",
      "| ❌ | roc_auc | 0.8000 | within 0.0200 of production | roc_auc 0.8000 is 0.03 below production's 0.8300 |",
    ]);
  });

  it("shows the champion's value and the challenger's delta", () => {
    const table = renderChampionTable(gates);
    expect(table?.split("\n")[2]).toBe(
      `| production | churn:v1@sha256:${"b".repeat(64)} | roc_auc | 0.8300 | 0.8000 | −0.0300 |`,
    );
  });

  it("has no champion section without compare_to gates", () => {
    expect(renderChampionTable([gates[0]!])).toBeUndefined();
  });

  it("labels the confusion matrix with the classes", () => {
    expect(
      renderConfusionMatrix(
        [
          [5, 1],
          [2, 7],
        ],
        ["no", "yes"],
      ).split("\n"),
    ).toEqual([
      "| true \\ predicted | no | yes |",
      "| --- | --- | --- |",
      "| no | 5 | 1 |",
      "| yes | 2 | 7 |",
    ]);
  });

  it("escapes pipes in cells", () => {
    expect(renderGatesTable([{ ...gates[0]!, message: "a | b" }])).toContain("a \\| b");
  });
});

const document: TrainDocument = {
  pipeline: "churn",
  task: "classification",
  task_rule: "two_values",
  classes: ["0", "1"],
  positive_class: "1",
  model: { type: "logistic_regression", params: {} },
  parity: { rows: 4, max_difference: 1e-7, tied_rows: 0 },
  metrics: { roc_auc: 0.75, accuracy: 0.5 },
  unavailable_metrics: {},
  baseline_metrics: { roc_auc: 0.5, accuracy: 0.5 },
  confusion_matrix: [
    [1, 1],
    [1, 1],
  ],
  gates: { passed: false, results: gates },
  tuning: null,
  feature_importance: { age: 1 },
  data: { rows_train: 16, rows_test: 4, dropped_rows: 0, files: [{ path: "d.csv", sha256: "c".repeat(64) }] },
  timings: { load_ms: 0, tune_ms: 0, fit_ms: 0, evaluate_ms: 0 },
};

describe("renderPipelineReport", () => {
  it("puts the status, gates, metrics, confusion matrix, charts and profile in order", () => {
    // Act
    const report = renderPipelineReport({
      document,
      pipelinePath: "pipelines/churn.yaml",
      curves: { roc: { x: [0, 1], y: [0, 1] }, pr: { x: [0, 1], y: [1, 0.5] } },
      classCounts: [12, 4],
    });

    // Assert
    const order = [
      "### Pipeline `churn` (`pipelines/churn.yaml`)",
      "❌ gates failed · logistic_regression · not pushed: the gates failed",
      "#### Gates",
      "#### Champion vs challenger",
      "| roc_auc | 0.7500 | 0.5000 |",
      "#### Confusion matrix",
      "ROC curve (AUC 0.750)",
      "Precision-recall curve",
      "Feature importance",
      "| training classes | 0: 12 (75.0%), 1: 4 (25.0%) |",
      "ONNX parity: 4 holdout rows",
    ].map((text) => report.indexOf(text));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});

describe("outputs", () => {
  const a: PipelineOutputs = {
    modelRef: "a:v1@sha256:x",
    modelDigest: "sha256:x",
    metrics: { f1: 0.5 },
    gatesPassed: true,
    report: "/r/a.md",
  };
  const b: PipelineOutputs = { ...a, modelRef: "", modelDigest: "", gatesPassed: false, report: "/r/b.md" };

  it("are plain values for one pipeline", () => {
    expect(buildOutputValues(new Map([["a", a]]))).toEqual({
      "model-ref": "a:v1@sha256:x",
      "model-digest": "sha256:x",
      metrics: '{"f1":0.5}',
      "gates-passed": "true",
      report: "/r/a.md",
    });
  });

  it("are JSON maps keyed by pipeline for several", () => {
    const values = buildOutputValues(
      new Map([
        ["a", a],
        ["b", b],
      ]),
    );
    expect(JSON.parse(values["gates-passed"])).toEqual({ a: true, b: false });
    expect(JSON.parse(values["model-ref"])).toEqual({ a: "a:v1@sha256:x", b: "" });
    expect(JSON.parse(values.metrics)).toEqual({ a: { f1: 0.5 }, b: { f1: 0.5 } });
  });
});

describe("changed-only", () => {
  it.each([
    ["pull_request", { pull_request: { base: { sha: SHA } } }, SHA],
    ["push", { before: SHA }, SHA],
    ["push", { before: "0".repeat(40) }, undefined],
    ["workflow_dispatch", { before: SHA }, undefined],
    ["pull_request", { pull_request: { base: { sha: "not-a-sha" } } }, undefined],
    ["pull_request", null, undefined],
  ])("the base of a %s event %o is %s", (event, payload, base) => {
    expect(readEventBase(event, payload)).toBe(base);
  });

  it.each([
    [["pipelines/a.yaml"], true],
    [["./data/a.csv"], true],
    [["pipelines/b.yaml", "README.md"], false],
    [[], false],
  ])("a pipeline with changed files %o changed: %s", (changed, expected) => {
    expect(hasPipelineChanged("pipelines/a.yaml", ["data/a.csv"], changed)).toBe(expected);
  });

  it("always runs a pipeline whose YAML cannot be read, so its problems are reported", () => {
    expect(hasPipelineChanged("pipelines/a.yaml", undefined, [])).toBe(true);
  });
});

describe("the comment body", () => {
  it("carries the report marker with the pushed model for /deploy", () => {
    const ref = `churn:v2@sha256:${"d".repeat(64)}`;
    const body = buildCommentBody({
      pipeline: "churn",
      report: "report",
      pinnedRef: ref,
      gatesPassed: true,
      metrics: { f1: 0.5 },
    });
    expect(parseReportMarkers(body)).toEqual([
      { pipeline: "churn", ref, gatesPassed: true, metrics: { f1: 0.5 } },
    ]);
  });

  it("carries no marker when nothing was pushed", () => {
    expect(
      parseReportMarkers(
        buildCommentBody({ pipeline: "churn", report: "r", gatesPassed: false, metrics: {} }),
      ),
    ).toEqual([]);
  });
});

describe("annotations", () => {
  it("point at the file, line and column, naming the field", () => {
    expect(
      buildAnnotation({
        file: "./pipelines/a.yaml",
        line: 3,
        column: 7,
        field: "model_training.model_type",
        message: "bad",
        severity: "error",
      }),
    ).toEqual({
      level: "error",
      message: "model_training.model_type: bad",
      properties: {
        title: "invalid ./pipelines/a.yaml",
        file: "pipelines/a.yaml",
        startLine: 3,
        startColumn: 7,
      },
    });
  });
});
