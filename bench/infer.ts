/**
 * Inference throughput: a 100-tree random forest over 20 numeric features,
 * served by onnxruntime-node (through our session wrapper) beside the
 * TypeScript path (transformFeatures → predictModel), at batch 1 and batch
 * 1,000. Both start from raw columns and include the feature transform.
 * Prints rows/s and the ratio; nothing is asserted.
 *
 *   npm run bench:infer
 */
import { createRandom } from "../src/common/random.js";
import type { Frame } from "../src/data/frame.js";
import { transformFeatures } from "../src/features/transform.js";
import type { FittedFeatures } from "../src/features/types.js";
import { fitRandomForest } from "../src/learners/forest.js";
import { predictModel } from "../src/learners/predict.js";
import { buildOnnxColumns, createOnnxSession, exportOnnx, runOnnxSession } from "../src/onnx/index.js";

const N_FEATURES = 20;
const N_TREES = 100;
const N_TRAIN = 2_000;
const N_SCORE = 2_000;
const BUDGET_MS = 1_500;

const random = createRandom(2026);

function makeFrame(n: number): Frame {
  const columns = Array.from({ length: N_FEATURES }, (_, j) => {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = random.normal() * (j + 1);
    return { kind: "numeric" as const, name: `x${j}`, values };
  });
  return { nRows: n, columns };
}

const train = makeFrame(N_TRAIN);
const features: FittedFeatures = {
  features: train.columns.map((c) => ({
    kind: "numeric",
    name: c.name,
    imputeValue: 0,
    offset: 0,
    scale: 1,
  })),
  outputNames: train.columns.map((c) => c.name),
};
const X = transformFeatures(features, train);
const y = new Float64Array(N_TRAIN);
for (let i = 0; i < N_TRAIN; i++) {
  const s = X.columns[0]![i]! - 0.5 * X.columns[1]![i]! + 0.2 * X.columns[2]![i]! + random.normal();
  y[i] = s > 0 ? 1 : 0;
}

const fitStart = performance.now();
const model = await fitRandomForest(
  X,
  y,
  { n_estimators: N_TREES, max_depth: 10 },
  { task: "classification", nClasses: 2, seed: 1, threads: 1 },
);
const nodes = model.trees.reduce((sum, t) => sum + t.feature.length, 0);
const bytes = exportOnnx({ features, model, task: "classification" });
console.log(
  `forest: ${N_TREES} trees, ${nodes} nodes, ${N_FEATURES} features; fitted in ${((performance.now() - fitStart) / 1000).toFixed(1)} s; ONNX ${(bytes.length / 1024).toFixed(0)} KiB`,
);

const session = await createOnnxSession(bytes, { threads: 1 });
const score = makeFrame(N_SCORE);

/** Rows per second of `run` over consecutive batches of `batch` rows, for about BUDGET_MS. */
async function measure(batch: number, run: (rows: Int32Array) => unknown): Promise<number> {
  const batches = Array.from({ length: Math.floor(N_SCORE / batch) }, (_, b) =>
    Int32Array.from({ length: batch }, (_, i) => b * batch + i),
  );
  for (let w = 0; w < Math.min(20, batches.length); w++) await run(batches[w]!);
  let rows = 0;
  const start = performance.now();
  let b = 0;
  while (performance.now() - start < BUDGET_MS) {
    await run(batches[b]!);
    rows += batch;
    b = (b + 1) % batches.length;
  }
  return rows / ((performance.now() - start) / 1000);
}

const format = (v: number) => Math.round(v).toLocaleString("en-US");
const table: string[] = [
  "| batch | onnxruntime-node rows/s | TypeScript predict rows/s | onnx / ts |",
  "| ---: | ---: | ---: | ---: |",
];
for (const batch of [1, 1_000]) {
  const onnx = await measure(batch, (rows) =>
    runOnnxSession(session, buildOnnxColumns(features, score, rows)),
  );
  const ts = await measure(batch, (rows) => predictModel(model, transformFeatures(features, score, rows)));
  table.push(`| ${format(batch)} | ${format(onnx)} | ${format(ts)} | ${(onnx / ts).toFixed(2)} |`);
}
await session.release();
console.log(table.join("\n"));
