/**
 * A small, valid model for registry tests: seeded pseudo-random "ONNX" bytes
 * (the registry stores bytes; it never parses them) and a card input.
 */
import { createRandom } from "../../src/common/random.js";
import type { PushInput } from "../../src/registry/model-registry.js";

/** Deterministic bytes of the given length. */
export function sampleBytes(length: number, seed = 1): Uint8Array {
  const random = createRandom(seed);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += 1) bytes[i] = random.int(256);
  return bytes;
}

/** A card as the pipeline hands it to push (no name or version yet). */
export function sampleCard(commit = "0123456789abcdef0123456789abcdef01234567"): PushInput["card"] {
  return {
    schema_version: 1,
    created_at: "2026-11-28T02:00:00Z",
    git_commit: commit,
    pipeline: { model_training: { model_type: "random_forest", target_column: "churn" } },
    data_files: [{ path: "data/churn.csv", sha256: "a".repeat(64), role: "data" }],
    task: "classification",
    target: "churn",
    classes: [0, 1],
    features: [
      { name: "tenure", type: "numeric" },
      { name: "plan", type: "categorical", categories: ["basic", "pro"] },
    ],
    metrics: { accuracy: 0.875, roc_auc: 0.91 },
    params: { n_estimators: 100 },
    tuning: null,
    training_time_ms: 1234,
    tool_version: "0.1.0",
    reference_profile: {
      version: 1,
      n_rows: 3,
      columns: [
        {
          kind: "categorical",
          name: "plan",
          count: 3,
          null_count: 0,
          categories: ["basic", "pro"],
          category_counts: [2, 1],
          other_count: 0,
        },
      ],
    },
  };
}

/** A push input for `name` with `size` bytes of weights. */
export function sampleModel(name = "churn", size = 2048, seed = 1, commit?: string): PushInput {
  return { name, onnx: sampleBytes(size, seed), card: sampleCard(commit) };
}
