/**
 * The exported graph against scikit-learn: the feature part against the
 * transformed holdout matrix, each learner against scikit-learn's own
 * predictions and probabilities on rows with missing values, rare and unseen
 * categories.
 */
import { afterAll, describe, expect, it } from "vitest";
import { exportOnnx } from "../../src/onnx/export.js";
import { buildFeatureGraph } from "../../src/onnx/export-features.js";
import { encodeOnnxModel } from "../../src/onnx/onnx-model.js";
import { compareOnnxPredictions } from "../../src/onnx/parity.js";
import { createOnnxSession, runOnnxSession, type OnnxSession } from "../../src/onnx/session.js";
import { loadGoldens, toModel, toOnnxColumns } from "./goldens.js";

const goldens = loadGoldens();
const holdout = toOnnxColumns(goldens.holdout);
const sessions: OnnxSession[] = [];
afterAll(async () => {
  await Promise.all(sessions.map((s) => s.release()));
});

async function open(bytes: Uint8Array): Promise<OnnxSession> {
  const session = await createOnnxSession(bytes);
  sessions.push(session);
  return session;
}

describe("feature graph", () => {
  it("reproduces the imputed, scaled, one-hot holdout matrix exactly in float32", async () => {
    // Arrange: a graph that stops at the concatenated features.
    const part = buildFeatureGraph(goldens.features);
    const bytes = encodeOnnxModel({
      irVersion: 8,
      opsetImports: [
        { domain: "", version: 17 },
        { domain: "ai.onnx.ml", version: 3 },
      ],
      producerName: "test",
      producerVersion: "0",
      modelVersion: 1,
      docString: "",
      metadata: {},
      graph: {
        name: "features",
        nodes: part.nodes,
        inputs: part.inputs,
        outputs: [{ name: part.output, elementType: "float", shape: [null, part.width] }],
        initializers: [],
      },
    });
    const session = await open(bytes);

    // Act
    const out = await runOnnxSession(session, holdout);

    // Assert
    expect(out.features!.dims).toEqual([goldens.holdout.color.length, 6]);
    expect(Array.from(out.features!.values as Float32Array)).toEqual(goldens.holdout_matrix);
  });
});

describe("exportOnnx against scikit-learn", () => {
  it.each(goldens.cases.map((c) => [c.name, c] as const))("%s", async (_name, golden) => {
    // Arrange
    const model = toModel(golden.model);
    const bytes = exportOnnx({
      features: goldens.features,
      model,
      task: golden.task,
      ...(golden.classes === undefined ? {} : { classes: golden.classes }),
    });
    const session = await open(bytes);
    const classes = golden.classes ?? [];
    const K = golden.task === "classification" ? classes.length : 1;
    const reference =
      golden.task === "classification"
        ? {
            scores: Float64Array.from(golden.expected.probabilities!),
            nOutputs: K,
            labels: Int32Array.from(golden.expected.labels!, (l) => classes.indexOf(l)),
          }
        : { scores: Float64Array.from(golden.expected.prediction!), nOutputs: 1, labels: undefined };

    // Act
    const out = await runOnnxSession(session, holdout);
    const report = compareOnnxPredictions({
      onnx: out,
      reference,
      task: golden.task,
      ...(golden.classes === undefined ? {} : { classes: golden.classes }),
    });

    // Assert: within 1e-5, labels equal (no near-ties in this data), labels typed as the classes are.
    expect(report.rows).toBe(goldens.holdout.color.length);
    expect(report.tiedRows).toEqual([]);
    if (golden.task === "classification") {
      expect(out.label!.values).toEqual(golden.expected.labels);
      expect(out.probabilities!.dims).toEqual([report.rows, K]);
    } else {
      expect(out.prediction!.dims).toEqual([report.rows, 1]);
    }
  });
});
