import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createRegistryCardSummary,
  readCardSummarySource,
  renderCardSummary,
} from "../../src/bot/card-summary.js";
import { buildReferenceProfile } from "../../src/monitoring/profile/profile.js";
import type { ModelRegistry, PushResult } from "../../src/registry/model-registry.js";
import { openConfiguredRegistry } from "../../src/registry/open-registry.js";

const CARD = {
  schema_version: 1 as const,
  created_at: "2026-11-28T04:00:00.000Z",
  git_commit: "0123456789abcdef0123456789abcdef01234567",
  pipeline: { name: "churn" },
  data_files: [{ path: "data/churn.csv", sha256: "ab".repeat(32), role: "data" as const }],
  task: "classification" as const,
  target: "churn",
  classes: [0, 1],
  features: [{ name: "tenure", type: "numeric" as const }],
  metrics: { roc_auc: 0.8512, accuracy: 0.8 },
  params: { n_estimators: 100 },
  tuning: {
    strategy: "grid",
    metric: "roc_auc",
    trials: 12,
    best_score: 0.84,
    best_params: { n_estimators: 100 },
  },
  training_time_ms: 1234,
  tool_version: "0.1.0",
  reference_profile: buildReferenceProfile({
    nRows: 3,
    columns: [{ kind: "numeric", name: "tenure", values: Float64Array.of(1, 5, 9) }],
  }),
};

describe("deploy PR card summary", () => {
  let root: string;
  let registry: ModelRegistry;
  let pushed: PushResult;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "mc-card-summary-"));
    registry = openConfiguredRegistry({}, { root }).registry;
    pushed = await registry.push({ name: "churn", onnx: Uint8Array.of(8, 1), card: CARD });
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("renders the pulled card: version, lineage, params, tuning and holdout metrics", async () => {
    const summary = await createRegistryCardSummary(registry)(pushed.pinnedRef);

    expect(summary).toBe(
      [
        "| | |",
        "| --- | --- |",
        "| model | `churn:v1` |",
        "| task | classification (target `churn`) |",
        "| trained | 2026-11-28T04:00:00.000Z from commit `0123456` |",
        "| features | `tenure` |",
        "| data | `data/churn.csv` (sha256 abababababab…) |",
        '| params | `{"n_estimators":100}` |',
        "| tuning | grid, 12 trials, best roc_auc 0.8400 |",
        "| holdout metrics | roc_auc 0.8512, accuracy 0.8000 |",
      ].join("\n"),
    );
  });

  it("gives no summary, and reports why, for a model the registry does not have", async () => {
    const errors: string[] = [];
    const summary = await createRegistryCardSummary(registry, (ref, error) =>
      errors.push(`${ref}: ${(error as Error).name}`),
    )("churn:v9");

    expect(summary).toBeUndefined();
    expect(errors).toEqual(["churn:v9: ModelNotFoundError"]);
  });

  it("is read from MODEL_REGISTRY, and absent without it", async () => {
    expect(readCardSummarySource({})).toBeUndefined();
    const source = readCardSummarySource({ MODEL_REGISTRY: join(root, ".meta-controller", "registry") });
    expect(await source?.("churn:v1")).toContain("| model | `churn:v1` |");
  });

  it("renders a card without tuning or metrics", () => {
    const text = renderCardSummary({ ...CARD, name: "churn", version: "v2", tuning: null, metrics: {} });
    expect(text).not.toContain("tuning");
    expect(text).not.toContain("holdout metrics");
    expect(text).toContain("| model | `churn:v2` |");
  });
});
