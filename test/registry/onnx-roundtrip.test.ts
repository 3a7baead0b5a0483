/**
 * What the registry gives back is a model onnxruntime-node runs: a small
 * ONNX graph (y = 2·x) built with the reference protobuf bindings goes
 * through push, pull --out and an inference session, local and remote.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import onnxProto from "onnx-proto";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openModelRegistry, type ModelRegistry } from "../../src/registry/model-registry.js";
import { writeModelFolder } from "../../src/registry/pull-output.js";
import {
  dockerRegistryMissing,
  type RunningRegistry,
  startDockerRegistry,
} from "../helpers/docker-registry.js";
import { sampleCard } from "./sample-model.js";

const { onnx } = onnxProto;
const FLOAT = 1;

function buildDoublingModel(): Uint8Array {
  const shape = { dim: [{ dimParam: "N" }, { dimValue: 2 }] };
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: "meta-controller-test",
    opsetImport: [{ domain: "", version: 17 }],
    graph: {
      name: "double",
      node: [{ opType: "Mul", input: ["x", "two"], output: ["y"] }],
      initializer: [{ name: "two", dims: [1], dataType: FLOAT, floatData: [2] }],
      input: [{ name: "x", type: { tensorType: { elemType: FLOAT, shape } } }],
      output: [{ name: "y", type: { tensorType: { elemType: FLOAT, shape } } }],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

const missing = dockerRegistryMissing();
if (missing) console.warn(`skipping docker-registry tests: ${missing}`);

describe("ONNX round trip through the registry", () => {
  let dir: string;
  let server: RunningRegistry | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "mc-onnx-roundtrip-"));
    if (!missing) server = await startDockerRegistry();
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function roundTrip(registry: ModelRegistry, out: string): Promise<Float32Array> {
    const pushed = await registry.push({ name: "double", onnx: buildDoublingModel(), card: sampleCard() });
    const pulled = await registry.pull({ name: "double", digest: pushed.digest });
    const folder = await writeModelFolder(pulled, join(dir, out));
    const session = await ort.InferenceSession.create(folder.model);
    try {
      const x = new ort.Tensor("float32", Float32Array.from([1.5, -2, 0.25, 8]), [2, 2]);
      const result = await session.run({ x });
      return result.y!.data as Float32Array;
    } finally {
      await session.release();
    }
  }

  it("runs the model pulled from the local layout", async () => {
    const y = await roundTrip(openModelRegistry({ kind: "local", root: join(dir, "layout") }), "local");
    expect(Array.from(y)).toEqual([3, -4, 0.5, 16]);
  });

  it.skipIf(missing !== undefined)("runs the model pulled from docker-registry", async () => {
    const registry = openModelRegistry({
      kind: "remote",
      host: server!.host,
      namespace: "acme",
      baseUrl: server!.baseUrl,
    });
    const y = await roundTrip(registry, "remote");
    expect(Array.from(y)).toEqual([3, -4, 0.5, 16]);
  });
});
