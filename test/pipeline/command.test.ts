/**
 * Bring-your-own training: `model_type: command` runs the user's script,
 * then evaluates, gates and pushes its ONNX model like a built-in one.
 */
import { execFile } from "node:child_process";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OnnxError } from "../../src/common/errors.js";
import { openConfiguredRegistry } from "../../src/registry/open-registry.js";
import { trainPipeline, type TrainResult } from "../../src/pipeline/train.js";
import { buildTrainDocument } from "../../src/pipeline/train-document.js";

const run = promisify(execFile);
const REPO = fileURLToPath(new URL("../..", import.meta.url));
const TSX = join(REPO, "node_modules", "tsx", "dist", "loader.mjs");
const SCRIPT = join(REPO, "test", "fixtures", "pipeline", "train-logistic.ts");

function pipeline(features: string): string {
  return `name: churn_byo
data_processing:
  data_source: {type: csv, path: data/customer_data.csv}
  feature_engineering:
${features}
model_training:
  model_type: command
  target_column: churn
  command:
    run: node --import ${TSX} ${SCRIPT}
    timeout: 5m
evaluation:
  gates:
    - {metric: roc_auc, min: 0.8}
`;
}

describe("model_type: command", () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "mc-command-"));
    await cp(join(REPO, "data"), join(root, "data"), { recursive: true });
    await run("git", ["init", "-q"], { cwd: root });
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("trains with the user's script, evaluates its ONNX model on the holdout and pushes it", async () => {
    await writeFile(
      join(root, "byo.yaml"),
      pipeline(
        "    numeric_features: [age, tenure, monthly_charges]\n    categorical_features: [partner, contract]",
      ),
    );
    const { registry } = openConfiguredRegistry({}, { root });

    const result = (await trainPipeline({
      root,
      pipelinePath: "byo.yaml",
      registry,
      push: true,
    })) as TrainResult;

    expect(result.fitted).toBeNull();
    expect(result.artifact.parity).toBeNull();
    expect(result.evaluation.metrics.roc_auc).toBeGreaterThan(0.8);
    expect(result.evaluation.metrics.accuracy).toBeGreaterThan(result.baseline.metrics.accuracy!);
    expect(result.gates.passed).toBe(true);
    expect(result.pushed?.ref).toBe("churn_byo:v1");
    const pulled = await registry.pull({ name: "churn_byo", tag: "v1" });
    expect(pulled.card.features.map((f) => f.name)).toEqual([
      "age",
      "tenure",
      "monthly_charges",
      "partner",
      "contract",
    ]);
    expect(Object.keys(pulled.card.params)).toEqual(["command"]);
    expect(String(pulled.card.params.command)).toContain("train-logistic.ts");
    expect(pulled.card.metrics).toEqual(result.evaluation.metrics);
    expect(buildTrainDocument(result).parity).toBeNull();
  }, 300_000);

  it("refuses a model whose inputs do not match the pipeline's features", async () => {
    // The script trains on what it is given; the pipeline then expects a column the model lacks.
    await writeFile(
      join(root, "mismatch.yaml"),
      pipeline("    numeric_features: [age, tenure]\n    categorical_features: [partner]").replace(
        `run: node --import ${TSX} ${SCRIPT}`,
        `run: META_CONTROLLER_FEATURES='[{"name":"age","kind":"numeric"},{"name":"tenure","kind":"numeric"}]' node --import ${TSX} ${SCRIPT}`,
      ),
    );

    const attempt = trainPipeline({ root, pipelinePath: "mismatch.yaml" });

    await expect(attempt).rejects.toBeInstanceOf(OnnxError);
    await expect(trainPipeline({ root, pipelinePath: "mismatch.yaml" })).rejects.toThrow(/partner/);
  }, 300_000);
});
