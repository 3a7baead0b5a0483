/**
 * The markdown report of one trained pipeline: what the job summary and the
 * PR comment show. Pure: it renders the `train --json` document plus the
 * chart data the document leaves out.
 */
import type { ChartPoints } from "../evaluation/curves.js";
import type { GateResult } from "../evaluation/gates.js";
import type { DriftReport } from "../monitoring/drift/report.js";
import type { TrainDocument } from "../pipeline/train-document.js";
import { sanitizeForGitHub } from "../common/sanitize-markdown.js";
import { renderImportanceChart, renderPrChart, renderRocChart, renderTuningChart } from "./render-charts.js";
import { formatMetric } from "../common/format-number.js";

/** Everything a report shows. */
export interface ReportInput {
  readonly document: TrainDocument;
  /** Path of the pipeline file. */
  readonly pipelinePath: string;
  /** Binary classification curves on the holdout. */
  readonly curves?: { readonly roc: ChartPoints; readonly pr: ChartPoints };
  /** Every tuning trial, for the progress chart. */
  readonly trials?: readonly { number: number; score: number }[];
  readonly direction?: "maximize" | "minimize";
  /** Training rows per class, in class order (classification only). */
  readonly classCounts?: readonly number[];
  /** Where the model went, for people. */
  readonly registry?: string;
}

function signed(value: number): string {
  const text = formatMetric(Math.abs(value));
  return value > 0 ? `+${text}` : value < 0 ? `−${text}` : text;
}

/**
 * Text from the data, the pipeline file or a training script (column names,
 * class labels, paths, reasons) made safe to post: the one sanitiser, no links.
 */
function safe(text: string, maxLength = 300): string {
  return sanitizeForGitHub(text, { allowedHosts: [], maxLength, style: "plain" });
}

/** Markdown-safe table cell for text the report wrote itself (numbers, metric names, references). */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${header.map(cell).join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ].join("\n");
}

function bound(gate: GateResult): string {
  const parts: string[] = [];
  if (gate.min !== undefined) parts.push(`≥ ${formatMetric(gate.min)}`);
  if (gate.max !== undefined) parts.push(`≤ ${formatMetric(gate.max)}`);
  if (gate.compare_to !== undefined)
    parts.push(`within ${formatMetric(gate.max_regression ?? 0)} of ${gate.compare_to}`);
  return parts.join(", ");
}

/** The gates as a table, one row per gate. */
export function renderGatesTable(results: readonly GateResult[]): string {
  if (results.length === 0) return "_No gates are configured._";
  return table(
    ["", "metric", "value", "gate", "result"],
    results.map((g) => [g.passed ? "✅" : "❌", g.metric, formatMetric(g.value), bound(g), g.message]),
  );
}

/** Champion (the model serving in the compared environment) vs this challenger. */
export function renderChampionTable(results: readonly GateResult[]): string | undefined {
  const compared = results.filter((g) => g.compare_to !== undefined);
  if (compared.length === 0) return undefined;
  return table(
    ["environment", "champion", "metric", "champion value", "challenger value", "delta"],
    compared.map((g) => {
      const hasChampion = g.champion_value !== undefined && g.value !== null;
      return [
        g.compare_to ?? "",
        g.champion_ref ?? "none serving yet",
        g.metric,
        formatMetric(g.champion_value),
        formatMetric(g.value),
        hasChampion ? signed(g.value - g.champion_value) : "—",
      ];
    }),
  );
}

/** The confusion matrix, true classes as rows. */
export function renderConfusionMatrix(
  matrix: readonly (readonly number[])[],
  classes: readonly string[],
): string {
  return table(
    ["true \\ predicted", ...classes.map((c) => safe(c, 100))],
    matrix.map((row, i) => [safe(classes[i] ?? String(i), 100), ...row.map(String)]),
  );
}

function renderProfile(input: ReportInput): string {
  const d = input.document;
  const rows: string[][] = [
    ["training rows", String(d.data.rows_train)],
    ["holdout rows", String(d.data.rows_test)],
    ["rows dropped (missing target)", String(d.data.dropped_rows)],
    ["task", `${d.task} (${d.task_rule})`],
    ...(d.positive_class === null ? [] : [["positive class", safe(d.positive_class, 100)]]),
    ["features", String(Object.keys(d.feature_importance).length)],
  ];
  if (input.classCounts && d.classes.length > 0) {
    const total = input.classCounts.reduce((a, b) => a + b, 0);
    rows.push([
      "training classes",
      d.classes
        .map((c, i) => {
          const n = input.classCounts?.[i] ?? 0;
          return `${safe(c, 100)}: ${n} (${total > 0 ? ((100 * n) / total).toFixed(1) : "0"}%)`;
        })
        .join(", "),
    ]);
  }
  for (const file of d.data.files)
    rows.push([`file ${safe(file.path, 200)}`, `sha256 ${file.sha256.slice(0, 12)}…`]);
  return table(["data", ""], rows);
}

/** The status line under the title. */
export function renderStatus(document: TrainDocument): string {
  const gates = document.gates.passed ? "✅ gates passed" : "❌ gates failed";
  const model = document.model.pinned_ref
    ? `pushed \`${document.model.pinned_ref}\``
    : document.gates.passed
      ? "not pushed"
      : "not pushed: the gates failed";
  return `${gates} · ${document.model.type} · ${model}`;
}

/** Renders the whole report of one pipeline. */
export function renderPipelineReport(input: ReportInput): string {
  const d = input.document;
  const parts: string[] = [];
  // The pipeline's name and path are the repository's own, checked by the schema and the CLI.
  parts.push(`### Pipeline \`${d.pipeline}\` (\`${input.pipelinePath}\`)`);
  parts.push(renderStatus(d));
  parts.push("#### Gates");
  parts.push(renderGatesTable(d.gates.results as readonly GateResult[]));
  const champion = renderChampionTable(d.gates.results as readonly GateResult[]);
  if (champion) parts.push("#### Champion vs challenger (same holdout)", champion);
  parts.push("#### Metrics on the holdout");
  parts.push(
    table(
      ["metric", "model", "baseline"],
      Object.entries(d.metrics).map(([name, value]) => [
        name,
        formatMetric(value),
        formatMetric(d.baseline_metrics[name]),
      ]),
    ),
  );
  const unavailable = Object.entries(d.unavailable_metrics);
  if (unavailable.length > 0)
    parts.push(unavailable.map(([name, why]) => `- ${safe(name, 100)} unavailable: ${safe(why)}`).join("\n"));
  if (d.confusion_matrix) {
    parts.push("#### Confusion matrix");
    parts.push(renderConfusionMatrix(d.confusion_matrix, d.classes));
  }
  if (input.curves) {
    parts.push("#### ROC and precision-recall");
    parts.push(renderRocChart(input.curves.roc, d.metrics.roc_auc));
    parts.push(renderPrChart(input.curves.pr));
  }
  if (Object.keys(d.feature_importance).length > 0) {
    parts.push("#### Feature importance");
    parts.push(renderImportanceChart(d.feature_importance));
  }
  if (d.tuning) {
    parts.push("#### Tuning");
    parts.push(
      `${d.tuning.strategy}, ${d.tuning.trials} trials, ${d.tuning.cv_folds}-fold CV; best ${d.tuning.metric} ${formatMetric(d.tuning.best_score)} with ${sanitizeForGitHub(JSON.stringify(d.tuning.best_params), { allowedHosts: [], maxLength: 1000, style: "code" })}${d.tuning.shards ? ` (merged shards ${d.tuning.shards.join(", ")})` : ""}`,
    );
    if (input.trials && input.trials.length > 0)
      parts.push(renderTuningChart(input.trials, d.tuning.metric, input.direction ?? "maximize"));
  }
  parts.push("#### Data");
  parts.push(renderProfile(input));
  // A user-trained (command) model has no reference to check parity against.
  if (d.parity)
    parts.push(
      `ONNX parity: ${d.parity.rows} holdout rows, max |difference| ${d.parity.max_difference.toExponential(2)}`,
    );
  return parts.join("\n\n");
}

/** The `evaluate` report of one pipeline's serving models. */
export function renderServingReport(
  pipeline: string,
  environments: readonly {
    environment: string;
    stable: string | null;
    result?: {
      rows: number;
      matchesCard: boolean;
      evaluation: { metrics: Readonly<Record<string, number>> };
    };
    gates?: { passed: boolean; results: readonly GateResult[] };
  }[],
): string {
  const parts: string[] = [`### Serving models of ${safe(pipeline, 100)}`];
  for (const env of environments) {
    if (!env.stable || !env.result) {
      parts.push(`#### ${env.environment}\n\nServes no model yet.`);
      continue;
    }
    parts.push(
      `#### ${env.environment}: \`${env.stable}\``,
      `${env.result.rows} holdout rows; ${env.result.matchesCard ? "reproduces the card's metrics exactly" : "differs from the card's metrics"}.`,
      table(
        ["metric", "value"],
        Object.entries(env.result.evaluation.metrics).map(([name, value]) => [name, formatMetric(value)]),
      ),
    );
    if (env.gates) parts.push(renderGatesTable(env.gates.results));
  }
  return parts.join("\n\n");
}

/** The `drift` report of one pipeline: one table per serving environment. */
export function renderDriftReport(
  pipeline: string,
  dataPath: string,
  environments: readonly { environment: string; stable: string | null; report?: DriftReport }[],
): string {
  const parts: string[] = [`### Drift of ${safe(dataPath, 200)} (pipeline ${safe(pipeline, 100)})`];
  for (const env of environments) {
    if (!env.stable || !env.report) {
      parts.push(`#### ${env.environment}\n\nServes no model yet.`);
      continue;
    }
    const r = env.report;
    const drifted = r.features.filter((f) => f.drift).length;
    parts.push(
      `#### ${env.environment}: \`${env.stable}\``,
      r.drift
        ? `❌ drift in ${drifted} of ${r.features.length} columns (reference ${r.n_reference} rows, current ${r.n_current})`
        : `✅ no drift (reference ${r.n_reference} rows, current ${r.n_current})`,
      table(
        ["column", "type", "method", "statistic", "p-value", "threshold", "drift"],
        r.features.map((f) => [
          safe(f.name, 100),
          f.type,
          f.method,
          formatMetric(f.statistic),
          formatMetric(f.p_value),
          formatMetric(f.threshold),
          f.drift ? `❌ ${f.severity}` : "✅",
        ]),
      ),
    );
  }
  return parts.join("\n\n");
}
