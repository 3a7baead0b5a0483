/**
 * The server's Prometheus metrics. Their names are the inputs of the alert
 * rules rendered for Prometheus, so they are a contract; change them only
 * together with those rules.
 *
 * | metric | type | labels | meaning |
 * | --- | --- | --- | --- |
 * | `meta_controller_requests_total` | counter | model, version, role | inference requests served by a model |
 * | `meta_controller_errors_total` | counter | model, version, role | requests the model failed (the caller got the stable model's answer or a 5xx) |
 * | `meta_controller_invalid_requests_total` | counter | model, protocol | requests refused with a 4xx (bad JSON, missing field, too large) |
 * | `meta_controller_request_duration_seconds` | histogram | model, version, role | time from body read to response, per model |
 * | `meta_controller_rows_total` | counter | model, version, role | rows scored |
 * | `meta_controller_predictions_total` | counter | model, version, role, class | predicted classes |
 * | `meta_controller_prediction_score_bucket`, `_sum`, `_count` | histogram series (counter, gauge, counter) | model, version, role (+ le) | classifier: probability of the last class; buckets 0.05 apart |
 * | `meta_controller_prediction_value_bucket`, `_sum`, `_count` | histogram series (counter, gauge, counter) | model, version, role (+ le) | regressor: predicted value; buckets ±1, 2, 5 × 10^k (10^-2 … 10^6) and 0 unless the server is given its own |
 * | `meta_controller_prediction_value_non_finite_total` | counter | model, version, role | regressor: predictions that were NaN or infinite (not in the histogram) |
 * | `meta_controller_traffic_weight_ratio` | gauge | model, version, role | share of traffic routed to the model, 0–1 |
 * | `meta_controller_rollout_state` | gauge | environment, model, state | 1 for the rollout's current phase (idle, progressing, completed, aborted), else 0 |
 * | `meta_controller_rollout_step` | gauge | environment, model | canary step index (0-based), -1 outside a canary |
 * | `meta_controller_rollout_failed_checks` | gauge | environment, model | failed analyses of the current rollout |
 * | `meta_controller_feature_values_total` | counter | model, version, feature, upper_bound | cumulative count of a numeric input at or below `upper_bound`, the reference profile's decile edges (and `+Inf`) |
 * | `meta_controller_feature_category_total` | counter | model, version, feature, bucket, category | values of a categorical input: `bucket="category"` for each category the reference profile kept (named in `category`), `bucket="other"` for values training saw beyond them, `bucket="new"` for values training never saw (`category=""` for both) |
 * | `meta_controller_feature_missing_total` | counter | model, version, feature | missing values of an input (numeric or categorical) |
 * | `meta_controller_drift_p_value` | gauge | model, version, feature | chi-squared p-value of the sliding drift window against the reference bins |
 * | `meta_controller_feedback_total` | counter | model, version, outcome | labels joined to predictions (correct, wrong) |
 * | `meta_controller_accuracy_ratio` | gauge | model, version | live accuracy from feedback labels, 0–1 |
 * | `meta_controller_model_info` | gauge | model, version, digest, role | 1 for each loaded model |
 * | `meta_controller_model_load_failures_total` | counter | model | models that failed to load or warm up |
 * | `meta_controller_events_total` | counter | type | events raised |
 * | `meta_controller_degraded` | gauge | environment | 1 while the stable model failed to load at start and the cached last-good model (or nothing) is served, else 0 |
 * | `meta_controller_environment_reloads_total` | counter | source, outcome | environments read from the file, URL or git remote: applied, or failed (the current models kept serving) |
 * | `process_*`, `nodejs_*` | (prom-client defaults) | — | CPU, memory, file descriptors, event-loop lag, GC, heap of the server process |
 *
 * Feature values are counters of a histogram layout (cumulative over
 * `upper_bound`; not `le`, which Prometheus reserves for histograms with one
 * set of buckets) at the reference quantiles: Prometheus can
 * `sum by (feature, upper_bound)` across
 * replicas and take `increase()` over any window, and the chi-squared test
 * on the summed counts is exactly the test on the pooled rows. Category
 * counters add up the same way (`computeCategoryWindowDrift` takes their
 * sums).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { OnnxClassification, OnnxRegression } from "../onnx/index.js";
import type { ExportedModel } from "./model-stats.js";
import type { Deployment } from "./rollout-controller.js";
import {
  createPredictionHistogram,
  PREDICTION_VALUE_BUCKETS,
  type PredictionHistogram,
  type ServedLabels,
} from "./prediction-histogram.js";

export { PREDICTION_VALUE_BUCKETS, type ServedLabels } from "./prediction-histogram.js";

/** Latency buckets, in seconds: fine below 10 ms where a tree ensemble answers. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const SCORE_BUCKETS = Array.from({ length: 19 }, (_, i) => Math.round((i + 1) * 5) / 100);

/** Options of {@link createServerMetrics}. */
export interface ServerMetricsOptions {
  /** Buckets of `meta_controller_prediction_value`, ascending (default {@link PREDICTION_VALUE_BUCKETS}). */
  readonly predictionBuckets?: readonly number[];
}

/** The metrics of one server, in their own registry. */
export interface ServerMetrics {
  readonly registry: Registry;
  readonly requests: Counter;
  readonly errors: Counter;
  readonly invalid: Counter;
  readonly duration: Histogram;
  readonly rows: Counter;
  readonly predictions: Counter;
  /** Classifier scores (probability of the last class), counted like {@link ServerMetrics.predictionValue}. */
  readonly score: PredictionHistogram;
  /** Regression predictions, counted in typed arrays and exposed as a histogram at scrape. */
  readonly predictionValue: PredictionHistogram;
  readonly weight: Gauge;
  readonly rolloutState: Gauge;
  readonly rolloutStep: Gauge;
  readonly failedChecks: Gauge;
  readonly feedback: Counter;
  readonly accuracy: Gauge;
  readonly modelInfo: Gauge;
  readonly loadFailures: Counter;
  readonly events: Counter;
  readonly reloads: Counter;
  readonly degraded: Gauge;
}

type LabelNames = readonly string[];

/** A counter in `registry`: every plain counter of the server is declared through this one call. */
function counter(registry: Registry, name: string, help: string, labelNames: LabelNames): Counter {
  return new Counter({ name, help, labelNames, registers: [registry] });
}

/** A gauge in `registry`: every plain gauge of the server is declared through this one call. */
function gauge(registry: Registry, name: string, help: string, labelNames: LabelNames): Gauge {
  return new Gauge({ name, help, labelNames, registers: [registry] });
}

/**
 * Creates the metrics. `models` is read at every scrape, so feature buckets
 * and p-values are computed from the live windows only when scraped, not on
 * every request.
 */
export function createServerMetrics(
  models: () => readonly ExportedModel[],
  options: ServerMetricsOptions = {},
): ServerMetrics {
  const registry = new Registry();
  const mv = ["model", "version", "role"] as const;
  const env = ["environment", "model"] as const;
  const metrics: ServerMetrics = {
    registry,
    requests: counter(registry, "meta_controller_requests_total", "Inference requests served", mv),
    errors: counter(registry, "meta_controller_errors_total", "Inference requests a model failed", mv),
    invalid: counter(registry, "meta_controller_invalid_requests_total", "Requests refused with a 4xx", [
      "model",
      "protocol",
    ]),
    duration: new Histogram({
      name: "meta_controller_request_duration_seconds",
      help: "Inference request duration",
      labelNames: mv,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    rows: counter(registry, "meta_controller_rows_total", "Rows scored", mv),
    predictions: counter(registry, "meta_controller_predictions_total", "Predicted classes", [
      ...mv,
      "class",
    ]),
    score: createPredictionHistogram(
      registry,
      "meta_controller_prediction_score",
      SCORE_BUCKETS,
      "Classifier probability of the last class",
    ),
    predictionValue: createPredictionHistogram(
      registry,
      "meta_controller_prediction_value",
      options.predictionBuckets ?? PREDICTION_VALUE_BUCKETS,
    ),
    weight: gauge(
      registry,
      "meta_controller_traffic_weight_ratio",
      "Share of traffic routed to a model (0-1)",
      mv,
    ),
    rolloutState: gauge(registry, "meta_controller_rollout_state", "1 for the rollout's current phase", [
      ...env,
      "state",
    ]),
    rolloutStep: gauge(
      registry,
      "meta_controller_rollout_step",
      "Canary step index, -1 outside a canary",
      env,
    ),
    failedChecks: gauge(
      registry,
      "meta_controller_rollout_failed_checks",
      "Failed analyses of the current rollout",
      env,
    ),
    feedback: counter(registry, "meta_controller_feedback_total", "Labels joined to predictions", [
      "model",
      "version",
      "outcome",
    ]),
    accuracy: gauge(registry, "meta_controller_accuracy_ratio", "Live accuracy from feedback (0-1)", [
      "model",
      "version",
    ]),
    modelInfo: gauge(registry, "meta_controller_model_info", "Loaded models", [
      "model",
      "version",
      "digest",
      "role",
    ]),
    loadFailures: counter(
      registry,
      "meta_controller_model_load_failures_total",
      "Models that failed to load or warm up",
      ["model"],
    ),
    events: counter(registry, "meta_controller_events_total", "Events raised", ["type"]),
    degraded: gauge(
      registry,
      "meta_controller_degraded",
      "1 while the stable model failed to load at start and the cached last-good model (or nothing) is served",
      ["environment"],
    ),
    reloads: counter(
      registry,
      "meta_controller_environment_reloads_total",
      "Environments read from the file, URL or git remote, by outcome",
      ["source", "outcome"],
    ),
  };
  registerFeatureCollectors(registry, models);
  registerRuntimeMetrics(registry);
  return metrics;
}

/** The process and Node runtime series (CPU, memory, event-loop lag, GC, heap) every Node exporter carries. */
function registerRuntimeMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  // prom-client exports these totals as gauges named `_total`, which
  // Prometheus keeps for counters; the per-type series (`nodejs_active_handles`
  // and the like) stay and sum to the same numbers.
  for (const name of [
    "nodejs_active_handles_total",
    "nodejs_active_requests_total",
    "nodejs_active_resources_total",
  ])
    registry.removeSingleMetric(name);
}

/** The series computed from the models' feature windows at scrape time. */
function registerFeatureCollectors(registry: Registry, models: () => readonly ExportedModel[]): void {
  new Counter({
    // Cumulative like a histogram's buckets, but the edges differ per
    // feature (the reference deciles), so not a Prometheus histogram: the
    // bound is its own label, and `le` stays reserved for real histograms.
    name: "meta_controller_feature_values_total",
    help: "Numeric input values at or below upper_bound (reference decile edges; +Inf counts all)",
    labelNames: ["model", "version", "feature", "upper_bound"],
    registers: [registry],
    collect() {
      this.reset();
      for (const { model, version, stats } of models()) {
        for (const feature of stats.features) {
          let cumulative = 0;
          for (let b = 0; b < feature.totals.length; b++) {
            cumulative += feature.totals[b]!;
            const upperBound = b < feature.edges.length ? String(feature.edges[b]) : "+Inf";
            this.inc({ model, version, feature: feature.name, upper_bound: upperBound }, cumulative);
          }
        }
      }
    },
  });
  new Counter({
    name: "meta_controller_feature_category_total",
    help: "Categorical input values: kept categories, other (seen in training) and new (never seen)",
    labelNames: ["model", "version", "feature", "bucket", "category"],
    registers: [registry],
    collect() {
      this.reset();
      for (const { model, version, stats } of models()) {
        for (const window of stats.categories) {
          const feature = window.name;
          const kept = window.profile.categories;
          for (let i = 0; i < kept.length; i++)
            this.inc(
              { model, version, feature, bucket: "category", category: kept[i]! },
              window.totals[i] ?? 0,
            );
          this.inc(
            { model, version, feature, bucket: "other", category: "" },
            window.totals[kept.length] ?? 0,
          );
          this.inc(
            { model, version, feature, bucket: "new", category: "" },
            window.totals[kept.length + 1] ?? 0,
          );
        }
      }
    },
  });
  new Counter({
    name: "meta_controller_feature_missing_total",
    help: "Missing input values",
    labelNames: ["model", "version", "feature"],
    registers: [registry],
    collect() {
      this.reset();
      for (const { model, version, stats } of models()) {
        for (const feature of stats.features)
          this.inc({ model, version, feature: feature.name }, feature.missingTotal);
        for (const window of stats.categories)
          this.inc({ model, version, feature: window.name }, window.missingTotal);
      }
    },
  });
  new Gauge({
    name: "meta_controller_drift_p_value",
    help: "Chi-squared p-value of the sliding drift window",
    labelNames: ["model", "version", "feature"],
    registers: [registry],
    collect() {
      this.reset();
      for (const { model, version, pValues } of models()) {
        for (const [feature, p] of Object.entries(pValues())) this.set({ model, version, feature }, p);
      }
    },
  });
}

/**
 * Counts a request's predictions: a regressor's values into
 * `meta_controller_prediction_value`, a classifier's probability of the last
 * class into `meta_controller_prediction_score`. NaN or infinite values go to
 * the `_non_finite_total` series instead, so a model that outputs them shows
 * in the metrics rather than failing the request.
 */
export function observePredictions(
  metrics: ServerMetrics,
  labels: ServedLabels,
  result: OnnxClassification | OnnxRegression,
  nRows: number,
): void {
  if (result.task === "regression") {
    metrics.predictionValue.observe(labels, result.values, nRows);
    return;
  }
  const k = result.nClasses;
  const scores = new Float32Array(nRows);
  for (let i = 0; i < nRows; i++) scores[i] = result.probabilities[i * k + k - 1]!;
  metrics.score.observe(labels, scores, nRows);
}

/** Sets the traffic, model and rollout gauges from the deployment served now. */
export function publishRolloutGauges(metrics: ServerMetrics, d: Deployment | null): void {
  if (d === null) return;
  const { env, rollout } = d;
  metrics.weight.reset();
  metrics.modelInfo.reset();
  for (const [role, served] of [
    ["stable", d.stable],
    ["candidate", d.candidate],
  ] as const) {
    if (served === null) continue;
    const share =
      role === "candidate"
        ? rollout.candidateWeight / 100
        : d.candidate === null
          ? 1
          : 1 - rollout.candidateWeight / 100;
    metrics.weight.set({ model: served.slot.name, version: served.slot.version, role }, share);
    metrics.modelInfo.set(
      { model: served.slot.name, version: served.slot.version, digest: served.slot.digest, role },
      1,
    );
  }
  for (const state of ["idle", "progressing", "completed", "aborted"] as const) {
    metrics.rolloutState.set(
      { environment: env.name, model: env.model, state },
      rollout.phase === state ? 1 : 0,
    );
  }
  metrics.rolloutStep.set({ environment: env.name, model: env.model }, rollout.step);
  metrics.failedChecks.set({ environment: env.name, model: env.model }, rollout.failedChecks);
}
