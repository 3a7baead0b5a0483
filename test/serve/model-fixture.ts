/**
 * Real models for the server tests: a small random forest over numeric
 * features (and one categorical), exported to ONNX with its reference
 * profile, pushed into a local OCI layout in a temp folder. `shift` moves
 * the training data, so a model's reference profile can disagree with the
 * traffic (the drift that fails a canary).
 */
import { createRandom } from "../../src/common/random.js";
import type { Frame } from "../../src/data/frame.js";
import { fitFeatures } from "../../src/features/fit.js";
import { transformFeatures } from "../../src/features/transform.js";
import { fitRandomForest } from "../../src/learners/forest.js";
import { buildReferenceProfile } from "../../src/monitoring/profile/profile.js";
import { exportOnnx } from "../../src/onnx/index.js";
import { openModelRegistry, type PushResult } from "../../src/registry/model-registry.js";

/** Options of {@link buildTestModel}. */
export interface TestModelOptions {
  readonly features?: number;
  readonly trees?: number;
  readonly rows?: number;
  readonly seed?: number;
  /** Added to every numeric training value. */
  readonly shift?: number;
  readonly categorical?: boolean;
  readonly maxDepth?: number;
}

/** Synthetic rows: x0…x{k-1} standard normal (+ shift), plan in {basic, pro}. */
export function makeFrame(n: number, k: number, seed: number, shift = 0, categorical = true): Frame {
  const random = createRandom(seed);
  const columns: Frame["columns"][number][] = Array.from({ length: k }, (_, j) => {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = random.normal() + shift;
    return { kind: "numeric" as const, name: `x${j}`, values };
  });
  if (categorical) {
    const codes = new Int32Array(n);
    for (let i = 0; i < n; i++) codes[i] = random.int(2);
    columns.push({ kind: "categorical", name: "plan", codes, dictionary: ["basic", "pro"] });
  }
  return { nRows: n, columns };
}

/** Fits and exports a classifier; returns the ONNX bytes and the card for a push. */
export async function buildTestModel(options: TestModelOptions = {}) {
  const k = options.features ?? 4;
  const n = options.rows ?? 400;
  const categorical = options.categorical ?? true;
  const frame = makeFrame(n, k, options.seed ?? 7, options.shift ?? 0, categorical);
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  const numericNames = Array.from({ length: k }, (_, j) => `x${j}`);
  const features = fitFeatures(
    frame,
    { numeric_features: numericNames, categorical_features: categorical ? ["plan"] : [] },
    rows,
  );
  const X = transformFeatures(features, frame);
  const x0 = frame.columns[0]!;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = x0.kind === "numeric" && x0.values[i]! > (options.shift ?? 0) ? 1 : 0;
  const model = await fitRandomForest(
    X,
    y,
    { n_estimators: options.trees ?? 5, max_depth: options.maxDepth ?? 4 },
    { task: "classification", nClasses: 2, seed: 1, threads: 1 },
  );
  const onnx = exportOnnx({ features, model, task: "classification", classes: [0, 1] });
  const card = {
    schema_version: 1 as const,
    created_at: "2026-11-28T02:00:00Z",
    git_commit: "0123456789abcdef0123456789abcdef01234567",
    pipeline: {},
    data_files: [],
    task: "classification" as const,
    target: "y",
    classes: [0, 1],
    features: [
      ...numericNames.map((name) => ({ name, type: "numeric" as const })),
      ...(categorical ? [{ name: "plan", type: "categorical" as const, categories: ["basic", "pro"] }] : []),
    ],
    metrics: { accuracy: 0.9 },
    params: {},
    tuning: null,
    training_time_ms: 1,
    tool_version: "0.1.0",
    reference_profile: buildReferenceProfile(frame),
  };
  return { onnx, card };
}

/** Pushes a model built with `options` as the next version of `name` into the local registry at `root`. */
export async function pushTestModel(
  root: string,
  name: string,
  options: TestModelOptions = {},
): Promise<PushResult> {
  const registry = openModelRegistry({ kind: "local", root });
  const { onnx, card } = await buildTestModel(options);
  return registry.push({ name, onnx, card });
}

/** An environment file's text. */
export function environmentYaml(fields: {
  model: string;
  registry: string;
  stable: string | null;
  candidate?: string | null;
  strategy?: string;
  checks?: string;
}): string {
  return [
    "name: staging",
    `model: ${fields.model}`,
    `registry: ${JSON.stringify(fields.registry)}`,
    `stable: ${fields.stable === null ? "null" : JSON.stringify(fields.stable)}`,
    `candidate: ${fields.candidate == null ? "null" : JSON.stringify(fields.candidate)}`,
    `strategy: ${fields.strategy ?? "{ type: canary, steps: [10, 50, 100], interval: 1m, max_failed_checks: 2 }"}`,
    `checks: ${fields.checks ?? "{ min_requests: 10 }"}`,
    "",
  ].join("\n");
}
