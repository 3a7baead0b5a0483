import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRandom } from "../../src/common/random.js";
import { createOnnxSession, predictOnnx, type OnnxColumns, type OnnxSession } from "../../src/onnx/index.js";
import {
  concatColumns,
  createMicroBatcher,
  slicePrediction,
  type Prediction,
  type PredictColumns,
} from "../../src/serve/micro-batch.js";
import { buildTestModel } from "./model-fixture.js";

/** Rows of the fixture model's inputs: x0…x3 numbers, plan a category. */
function makeRequests(count: number, rowsEach: number, seed: number): OnnxColumns[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, () => {
    const columns: Record<string, Float32Array | string[]> = {};
    for (let j = 0; j < 4; j++)
      columns[`x${j}`] = Float32Array.from({ length: rowsEach }, () => random.normal());
    columns.plan = Array.from({ length: rowsEach }, () => ["basic", "pro", "", "unseen"][random.int(4)]!);
    return columns;
  });
}

describe("createMicroBatcher on a real onnxruntime session", () => {
  let session: OnnxSession;
  let runs: number[];
  let counted: PredictColumns;

  beforeAll(async () => {
    const { onnx } = await buildTestModel({ trees: 20 });
    session = await createOnnxSession(onnx);
    runs = [];
    counted = (columns) => {
      runs.push(columns.x0!.length);
      return predictOnnx(session, columns, "classification");
    };
  });
  afterAll(() => session.release());

  it("answers concurrent single rows from shared runs with exactly the values of separate runs", async () => {
    const requests = makeRequests(40, 1, 1);
    const alone = await Promise.all(requests.map((c) => predictOnnx(session, c, "classification")));
    runs.length = 0;
    const batched = createMicroBatcher(counted, 256);

    const shared = await Promise.all(requests.map((c) => batched(c)));

    expect(shared).toEqual(alone);
    expect(runs.length).toBeLessThan(requests.length);
    expect(runs.reduce((a, b) => a + b, 0)).toBe(40);
  });

  it("keeps requests of several rows whole and in order, and caps a shared run at maxBatchRows", async () => {
    const requests = makeRequests(12, 7, 2);
    const alone = await Promise.all(requests.map((c) => predictOnnx(session, c, "classification")));
    runs.length = 0;
    const batched = createMicroBatcher(counted, 20);

    const shared = await Promise.all(requests.map((c) => batched(c)));

    expect(shared).toEqual(alone);
    expect(Math.max(...runs)).toBeLessThanOrEqual(20);
    expect(runs.every((n) => n % 7 === 0)).toBe(true);
  });

  it("runs a request of maxBatchRows rows or more on its own, at once", async () => {
    const [big] = makeRequests(1, 64, 3);
    runs.length = 0;
    const batched = createMicroBatcher(counted, 64);

    const result = await batched(big!);

    expect(runs).toEqual([64]);
    expect(result).toEqual(await predictOnnx(session, big!, "classification"));
  });
});

describe("createMicroBatcher failure isolation", () => {
  /** A model that refuses any run containing a negative value, and scores x otherwise. */
  const picky: PredictColumns = (columns) => {
    const x = columns.x as Float32Array;
    if (x.some((v) => v < 0)) return Promise.reject(new Error(`negative value in a run of ${x.length}`));
    return Promise.resolve({ task: "regression", values: x.map((v) => v * 2) });
  };

  it("retries a failed shared run request by request, so only the bad request fails", async () => {
    const batched = createMicroBatcher(picky, 100);
    const inputs = [1, 2, -3, 4].map((v) => ({ x: Float32Array.of(v) }));

    const settled = await Promise.allSettled(inputs.map((c) => batched(c)));

    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    const values = settled.map((s) =>
      s.status === "fulfilled" ? Array.from((s.value as { values: Float32Array }).values) : String(s.reason),
    );
    expect(values[0]).toEqual([2]);
    expect(values[3]).toEqual([8]);
    expect(values[2]).toContain("negative value in a run of 1");
  });

  it("serves requests queued behind a running batch in the next run", async () => {
    const order: number[] = [];
    const slow: PredictColumns = async (columns) => {
      order.push(columns.x!.length);
      await new Promise((r) => setTimeout(r, 5));
      return { task: "regression", values: Float32Array.from(columns.x as Float32Array) };
    };
    const batched = createMicroBatcher(slow, 100);

    const first = batched({ x: Float32Array.of(1) });
    await new Promise((r) => setImmediate(r));
    const later = [2, 3, 4].map((v) => batched({ x: Float32Array.of(v) }));
    const results = await Promise.all([first, ...later]);

    expect(order).toEqual([1, 3]);
    expect(results.map((r) => Array.from((r as { values: Float32Array }).values))).toEqual([
      [1],
      [2],
      [3],
      [4],
    ]);
  });
});

describe("concatColumns and slicePrediction", () => {
  it("concatenates numeric and text columns in order", () => {
    const merged = concatColumns(
      [
        { a: Float32Array.of(1, 2), b: ["x", "y"] },
        { a: Float32Array.of(3), b: ["z"] },
      ],
      3,
    );
    expect(Array.from(merged.a as Float32Array)).toEqual([1, 2, 3]);
    expect(merged.b).toEqual(["x", "y", "z"]);
  });

  it("slices a classification row-major probability block by rows", () => {
    const prediction: Prediction = {
      task: "classification",
      labels: ["a", "b", "c"],
      probabilities: Float32Array.of(0.1, 0.9, 0.6, 0.4, 0.3, 0.7),
      nClasses: 2,
    };
    const middle = slicePrediction(prediction, 1, 2);
    expect(middle).toEqual({
      task: "classification",
      labels: ["b", "c"],
      probabilities: Float32Array.of(0.6, 0.4, 0.3, 0.7),
      nClasses: 2,
    });
  });
});
