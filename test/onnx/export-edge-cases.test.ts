/**
 * The onnxruntime-node pitfalls the exporter must handle, each on a model
 * small enough to compute by hand: vote ties, binary classifiers in both of
 * onnxruntime's modes, float32 thresholds, int64 labels, bad models.
 */
import { afterAll, describe, expect, it } from "vitest";
import { OnnxError } from "../../src/common/errors.js";
import type { LinearModel, TreeEnsembleModel } from "../../src/learners/model.js";
import { predictModel } from "../../src/learners/predict.js";
import type { Frame } from "../../src/data/frame.js";
import type { FittedFeatures } from "../../src/features/types.js";
import { buildOnnxColumns } from "../../src/onnx/columns.js";
import { exportOnnx, ONNX_OUTPUTS } from "../../src/onnx/export.js";
import { checkOnnxParity } from "../../src/onnx/parity.js";
import { buildClassLabels } from "../../src/onnx/class-labels.js";
import { buildTreeEnsembleNode, roundThresholdDown } from "../../src/onnx/export-trees.js";
import { encodeOnnxModel } from "../../src/onnx/onnx-model.js";
import { createOnnxSession, runOnnxSession, type OnnxSession } from "../../src/onnx/session.js";
import { oneNumeric, stump } from "./fixtures.js";

const sessions: OnnxSession[] = [];
afterAll(async () => {
  await Promise.all(sessions.map((s) => s.release()));
});

async function run(
  model: TreeEnsembleModel | LinearModel,
  x: readonly number[],
  classes?: (string | number)[],
) {
  const bytes = exportOnnx({
    features: oneNumeric,
    model,
    task: model.task,
    ...(classes ? { classes } : {}),
  });
  const session = await createOnnxSession(bytes);
  sessions.push(session);
  return runOnnxSession(session, { x: Float32Array.from(x) });
}

function forest(nClasses: number, trees: TreeEnsembleModel["trees"]): TreeEnsembleModel {
  return {
    kind: "tree_ensemble",
    task: "classification",
    trees,
    aggregation: "average",
    baseScore: new Float64Array(nClasses),
    postTransform: "none",
    nFeatures: 1,
    nClasses,
  };
}

const sigmoid = (s: number) => 1 / (1 + Math.exp(-s));

describe("vote ties", () => {
  it("a 3-class forest tie goes to the lowest class index, as in TypeScript", async () => {
    // Arrange: two trees vote [1,0,0] and [0,1,0] for x <= 0, [0,0,1] and [0,1,0] above.
    const model = forest(3, [stump(0, [1, 0, 0], [0, 0, 1]), stump(0, [0, 1, 0], [0, 1, 0])]);
    const x = [-1, 1];

    // Act
    const out = await run(model, x, ["a", "b", "c"]);
    const ts = predictModel(model, { nRows: 2, columns: [Float64Array.from(x)], names: ["x"] });

    // Assert: row 0 ties a/b → a; row 1 ties b/c → b.
    expect(out.label!.values).toEqual(["a", "b"]);
    expect(Array.from(ts.labels!)).toEqual([0, 1]);
    expect(Array.from(out.probabilities!.values as Float32Array)).toEqual([0.5, 0.5, 0, 0, 0.5, 0.5]);
  });

  it("a binary forest tie at 0.5 goes to the first class", async () => {
    const model = forest(2, [stump(0, [1, 0], [0, 1]), stump(0, [0, 1], [0, 1])]);
    const out = await run(model, [-1, 1], [10, 20]);
    expect(out.label!.values).toEqual([10, 20]);
    expect(Array.from(out.probabilities!.values as Float32Array)).toEqual([0.5, 0.5, 0, 1]);
  });
});

describe("binary classifiers", () => {
  it("a binary forest writes [1 − p, p] with labels from p > 0.5", async () => {
    const model = forest(2, [stump(0.5, [0.8, 0.2], [0.3, 0.7]), stump(-0.5, [1, 0], [0.4, 0.6])]);
    const out = await run(model, [-1, 0, 1]);
    // By hand: x=-1 → (0.2+0)/2=0.1; x=0 → (0.2+0.6)/2=0.4; x=1 → (0.7+0.6)/2=0.65.
    expect(out.label!.values).toEqual([0, 0, 1]);
    const p = Array.from(out.probabilities!.values as Float32Array);
    [0.9, 0.1, 0.6, 0.4, 0.35, 0.65].forEach((want, i) => expect(p[i]).toBeCloseTo(want, 6));
  });

  it.each([
    // Bases chosen so the scores fall below 0, in (0, 0.5) and above 0.5: onnxruntime's
    // "probability" mode would label a score in (0, 0.5) negative and skip the sigmoid.
    ["all-positive leaves", [0.5, 1.5], [0.25, 2], -1.5],
    ["mixed-sign leaves", [-0.5, 1.5], [0.25, -2], -1.5],
    ["all-negative leaves", [-0.5, -1.5], [-0.25, -2], 2],
  ])("boosting with %s keeps logistic probabilities and labels", async (_name, t0, t1, base) => {
    // Arrange: two stumps plus a base score; the label must follow σ(score) > 0.5.
    const model: TreeEnsembleModel = {
      kind: "tree_ensemble",
      task: "classification",
      trees: [stump(0, [t0[0]!], [t0[1]!]), stump(0.5, [t1[0]!], [t1[1]!])],
      aggregation: "sum",
      baseScore: Float64Array.of(base),
      postTransform: "logistic",
      nFeatures: 1,
      nClasses: 2,
    };
    const x = [-1, 0.25, 1];
    const score = x.map((v) => base + (v <= 0 ? t0[0]! : t0[1]!) + (v <= 0.5 ? t1[0]! : t1[1]!));
    expect(score.some((s) => s > 0 && s < 0.5)).toBe(true);

    // Act
    const out = await run(model, x, ["no", "yes"]);

    // Assert
    expect(out.label!.values).toEqual(score.map((s) => (s > 0 ? "yes" : "no")));
    const p = Array.from(out.probabilities!.values as Float32Array);
    score.forEach((s, i) => {
      expect(p[2 * i]).toBeCloseTo(1 - sigmoid(s), 6);
      expect(p[2 * i + 1]).toBeCloseTo(sigmoid(s), 6);
    });
  });

  it("a two-output softmax ensemble becomes one logistic margin", async () => {
    const model: TreeEnsembleModel = {
      kind: "tree_ensemble",
      task: "classification",
      trees: [stump(0, [1, -1], [-0.5, 2])],
      aggregation: "sum",
      baseScore: Float64Array.of(0.2, 0.1),
      postTransform: "softmax",
      nFeatures: 1,
      nClasses: 2,
    };
    const out = await run(model, [-1, 1]);
    const p = Array.from(out.probabilities!.values as Float32Array);
    const margins = [-1 + 0.1 - (1 + 0.2), 2 + 0.1 - (-0.5 + 0.2)];
    margins.forEach((m, i) => expect(p[2 * i + 1]).toBeCloseTo(sigmoid(m), 6));
    expect(out.label!.values).toEqual([0, 1]);
  });

  it("binary logistic regression labels score > 0 and writes [1 − σ, σ]", async () => {
    const model: LinearModel = {
      kind: "linear",
      task: "classification",
      coefficients: Float64Array.of(2),
      intercepts: Float64Array.of(-1),
      postTransform: "logistic",
      nFeatures: 1,
      nClasses: 2,
    };
    const out = await run(model, [0, 1], [3, 9]);
    expect(out.label!.values).toEqual([3, 9]);
    const p = Array.from(out.probabilities!.values as Float32Array);
    expect(p[1]).toBeCloseTo(sigmoid(-1), 6);
    expect(p[3]).toBeCloseTo(sigmoid(1), 6);
  });
});

describe("thresholds", () => {
  it.each([
    [0.1, Math.fround(0.1), "right"], // float32(0.1) > 0.1: a naive float32 threshold would send it left
    [0.5, 0.5, "left"], // exactly on a float32 threshold: <= goes left
    [0.1, 0.09999999, "left"],
  ])("threshold %d, x = %d goes %s, as x <= t does in float64", async (threshold, x, side) => {
    const model = forest(2, [stump(threshold, [1, 0], [0, 1])]);
    const out = await run(model, [x]);
    expect(out.label!.values).toEqual([side === "left" ? 0 : 1]);
  });

  it.each([0.1, -0.1, 1e-40, -1e-40, 0, 3.4e38, 1 / 3])(
    "roundThresholdDown(%d) is the largest float32 ≤ t",
    (t) => {
      const r = roundThresholdDown(t);
      expect(Math.fround(r)).toBe(r);
      expect(r).toBeLessThanOrEqual(t);
      // The next float32 up is above t.
      const view = new DataView(new ArrayBuffer(4));
      view.setFloat32(0, r);
      const bits = view.getInt32(0);
      view.setInt32(0, r > 0 || Object.is(r, 0) ? bits + 1 : r < 0 ? bits - 1 : 1);
      expect(view.getFloat32(0)).toBeGreaterThan(t);
    },
  );
});

describe("labels", () => {
  it("int64 labels come back as plain numbers that JSON can carry", async () => {
    const model = forest(2, [stump(0, [1, 0], [0, 1])]);
    const out = await run(model, [-1, 1], [7, 2 ** 40]);
    expect(JSON.stringify(out.label!.values)).toBe(`[7,${2 ** 40}]`);
  });

  it("declares ai.onnx.ml opset 3 so onnxruntime accepts TreeEnsembleClassifier", async () => {
    const bytes = exportOnnx({
      features: oneNumeric,
      model: forest(2, [stump(0, [1, 0], [0, 1])]),
      task: "classification",
    });
    const { default: onnxProto } = await import("onnx-proto");
    const decoded = onnxProto.onnx.ModelProto.decode(bytes);
    expect(decoded.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([
      ["", 17],
      ["ai.onnx.ml", 3],
    ]);
  });

  it("the same classifier under ai.onnx.ml opset 5 is refused by onnxruntime, with an OnnxError", async () => {
    // Arrange: our tree node, declared at ml opset 5 where TreeEnsembleClassifier is deprecated.
    const model = forest(2, [stump(0, [1, 0], [0, 1])]);
    const node = buildTreeEnsembleNode(model, "x", buildClassLabels(2), ONNX_OUTPUTS);
    const bytes = encodeOnnxModel({
      irVersion: 10,
      opsetImports: [
        { domain: "", version: 21 },
        { domain: "ai.onnx.ml", version: 5 },
      ],
      producerName: "test",
      producerVersion: "0",
      modelVersion: 1,
      docString: "",
      metadata: {},
      graph: {
        name: "g",
        nodes: [node],
        inputs: [{ name: "x", elementType: "float", shape: [null, 1] }],
        outputs: [
          { name: "label", elementType: "int64", shape: [null] },
          { name: "probabilities", elementType: "float", shape: [null, 2] },
        ],
        initializers: [],
      },
    });

    // Act / Assert
    await expect(createOnnxSession(bytes, { source: "ml5.onnx" })).rejects.toThrow(
      /^ml5\.onnx: onnxruntime could not load it: .*TreeEnsembleClassifier is deprecated/s,
    );
  });
});

describe("bad models", () => {
  const good = forest(2, [stump(0, [1, 0], [0, 1])]);
  it.each([
    [
      "a split on a missing feature",
      { ...good, trees: [{ ...stump(0, [1, 0], [0, 1]), feature: Int32Array.of(3, -1, -1) }] },
      undefined,
      /splits on feature 3/,
    ],
    [
      "a child out of range",
      { ...good, trees: [{ ...stump(0, [1, 0], [0, 1]), left: Int32Array.of(9, 0, 0) }] },
      undefined,
      /children 9\/2/,
    ],
    [
      "a NaN leaf",
      { ...good, trees: [stump(0, [Number.NaN, 0], [0, 1])] },
      undefined,
      /leaf 1 output 0 is NaN/,
    ],
    [
      "probability leaves that do not sum to 1",
      { ...good, trees: [stump(0, [0.7, 0.7], [0, 1])] },
      undefined,
      /summing to 1/,
    ],
    ["too few class labels", good, ["a"], /2 classes but 1 class labels/],
    ["fractional class labels", good, [0.5, 1], /must be integers/],
    ["mixed class labels", good, ["a", 1], /all strings or all integers/],
    ["a width mismatch", { ...good, nFeatures: 2 }, undefined, /produce 1 columns but the model expects 2/],
  ] as const)("rejects %s with an OnnxError", (_name, model, classes, message) => {
    const act = () =>
      exportOnnx({
        features: oneNumeric,
        model,
        task: "classification",
        ...(classes ? { classes: [...classes] } : {}),
      });
    expect(act).toThrow(OnnxError);
    expect(act).toThrow(message);
  });

  it("is deterministic: the same model gives the same bytes", () => {
    expect(exportOnnx({ features: oneNumeric, model: good, task: "classification" })).toEqual(
      exportOnnx({ features: oneNumeric, model: good, task: "classification" }),
    );
  });
});

describe("feature layout", () => {
  it("keeps output column order when numeric and categorical columns interleave", async () => {
    // Arrange: num, cat, num, num, cat — a ridge model with a distinct weight per output column.
    const features: FittedFeatures = {
      features: [
        { kind: "numeric", name: "a", imputeValue: 1, offset: 0.5, scale: 2 },
        { kind: "categorical", name: "c1", imputeValue: "x", categories: ["x", "y"], rareCategories: ["r"] },
        { kind: "numeric", name: "b", imputeValue: -1, offset: 0, scale: 0.25 },
        { kind: "numeric", name: "d", imputeValue: 3, offset: 1, scale: 1 },
        { kind: "categorical", name: "c2", imputeValue: "q", categories: ["p", "q"], rareCategories: [] },
      ],
      outputNames: ["a", "c1=x", "c1=y", "c1=__other__", "b", "d", "c2=p", "c2=q"],
    };
    const model: LinearModel = {
      kind: "linear",
      task: "regression",
      coefficients: Float64Array.of(1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7),
      intercepts: Float64Array.of(0),
      postTransform: "none",
      nFeatures: 8,
      nClasses: 1,
    };
    const cat = (dictionary: string[], codes: number[]) => ({ codes: Int32Array.from(codes), dictionary });
    const frame: Frame = {
      nRows: 3,
      columns: [
        { kind: "numeric", name: "a", values: Float64Array.of(1.5, Number.NaN, -2) },
        { kind: "categorical", name: "c1", ...cat(["x", "y", "r", "new"], [1, 2, -1]) },
        { kind: "numeric", name: "b", values: Float64Array.of(4, 8, Number.NaN) },
        { kind: "numeric", name: "d", values: Float64Array.of(Number.NaN, 2, 5) },
        { kind: "categorical", name: "c2", ...cat(["p", "q", "z"], [2, 0, -1]) },
      ],
    };
    const bytes = exportOnnx({ features, model, task: "regression" });

    // Act
    const report = await checkOnnxParity({ onnx: bytes, features, model, frame });
    const session = await createOnnxSession(bytes);
    sessions.push(session);
    const out = await runOnnxSession(session, buildOnnxColumns(features, frame));

    // Assert: by hand, row 0 = 2·1 + 100·1 + 1e4·1 + 1e5·2 + 0 (unseen "z") = 210102.
    expect(report.rows).toBe(3);
    expect((out.prediction!.values as Float32Array)[0]).toBe(210102);
  });
});

describe("base scores", () => {
  it("adds a 3-class base score after averaging, as the TypeScript model does", async () => {
    // Arrange: one stump averaged, plus a base that changes the winner for x > 0.
    const model: TreeEnsembleModel = {
      ...forest(3, [stump(0, [0.6, 0.3, 0.1], [0.5, 0.4, 0.1])]),
      baseScore: Float64Array.of(0, 0.2, 0),
    };
    const x = [-1, 1];
    const ts = predictModel(model, { nRows: 2, columns: [Float64Array.from(x)], names: ["x"] });

    // Act
    const out = await run(model, x);

    // Assert: by hand, x=-1 → [0.6, 0.5, 0.1] → 0; x=1 → [0.5, 0.6, 0.1] → 1.
    expect(out.label!.values).toEqual([0, 1]);
    expect(Array.from(ts.labels!)).toEqual([0, 1]);
    [0.6, 0.5, 0.1, 0.5, 0.6, 0.1].forEach((p, k) =>
      expect((out.probabilities!.values as Float32Array)[k]).toBeCloseTo(p, 6),
    );
  });
});
