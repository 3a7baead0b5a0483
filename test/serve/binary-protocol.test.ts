/**
 * The Open Inference Protocol's binary tensor data extension, against a real
 * server: requests and responses are built and read here with plain Buffer
 * calls, independently of the server's own encoder, and must agree with the
 * JSON form of the same request.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/serve/start-server.js";
import { startStableServer, type StableServer } from "./stable-server.js";

const N = 25;
const numeric = ["x0", "x1", "x2", "x3"];
const value = (j: number, i: number) => Math.fround(Math.sin(i * 1.7 + j) * 2);
const plan = (i: number) => ["basic", "pro", "", "enterprise ✓"][i % 4]!;

let running: StableServer;
let server: RunningServer;
let url: string;

beforeAll(async () => {
  running = await startStableServer("mc-binary-");
  server = running.server;
  url = `${server.url}/v2/models/churn/infer`;
}, 60_000);

afterAll(() => running.close());

function jsonRequest(n = N) {
  return {
    inputs: [
      ...numeric.map((name, j) => ({
        name,
        shape: [n, 1],
        datatype: "FP32",
        data: Array.from({ length: n }, (_, i) => value(j, i)),
      })),
      { name: "plan", shape: [n], datatype: "BYTES", data: Array.from({ length: n }, (_, i) => plan(i)) },
    ],
  };
}

function encodeNumbers(datatype: "FP32" | "FP64" | "INT32", values: number[]): Buffer {
  const size = datatype === "FP64" ? 8 : 4;
  const out = Buffer.alloc(values.length * size);
  values.forEach((v, i) => {
    if (datatype === "FP32") out.writeFloatLE(v, i * 4);
    else if (datatype === "FP64") out.writeDoubleLE(v, i * 8);
    else out.writeInt32LE(v, i * 4);
  });
  return out;
}

function encodeStrings(values: string[]): Buffer {
  return Buffer.concat(
    values.flatMap((v) => {
      const bytes = Buffer.from(v, "utf8");
      const length = Buffer.alloc(4);
      length.writeUInt32LE(bytes.length);
      return [length, bytes];
    }),
  );
}

interface Block {
  name: string;
  datatype: string;
  shape: number[];
  bytes: Buffer;
}

/** A binary-extension request: JSON header then the blocks, with Inference-Header-Content-Length. */
async function sendBinary(
  blocks: Block[],
  extra: Record<string, unknown> = {},
  lie?: { size?: number; header?: number },
) {
  const header = Buffer.from(
    JSON.stringify({
      inputs: blocks.map((b) => ({
        name: b.name,
        shape: b.shape,
        datatype: b.datatype,
        parameters: { binary_data_size: lie?.size ?? b.bytes.length },
      })),
      ...extra,
    }),
  );
  const response = await fetch(url, {
    method: "POST",
    body: Buffer.concat([header, ...blocks.map((b) => b.bytes)]),
    headers: {
      "content-type": "application/octet-stream",
      "inference-header-content-length": String(lie?.header ?? header.length),
    },
  });
  const body = Buffer.from(await response.arrayBuffer());
  const jsonLength = response.headers.get("inference-header-content-length");
  if (jsonLength === null)
    return {
      status: response.status,
      json: JSON.parse(body.toString()) as Record<string, unknown>,
      binary: Buffer.alloc(0),
    };
  const n = Number(jsonLength);
  return {
    status: response.status,
    json: JSON.parse(body.subarray(0, n).toString()) as Record<string, unknown>,
    binary: body.subarray(n),
  };
}

function blocksFor(datatype: "FP32" | "FP64" = "FP32", n = N): Block[] {
  return [
    ...numeric.map((name, j) => ({
      name,
      datatype,
      shape: [n, 1],
      bytes: encodeNumbers(
        datatype,
        Array.from({ length: n }, (_, i) => value(j, i)),
      ),
    })),
    {
      name: "plan",
      datatype: "BYTES",
      shape: [n],
      bytes: encodeStrings(Array.from({ length: n }, (_, i) => plan(i))),
    },
  ];
}

interface Output {
  name: string;
  datatype: string;
  shape: number[];
  data?: unknown[];
  parameters?: { binary_data_size: number };
}

/** Reads the response's outputs into plain arrays, following each binary_data_size in order. */
function readOutputs(json: Record<string, unknown>, binary: Buffer): Record<string, unknown[]> {
  const result: Record<string, unknown[]> = {};
  let offset = 0;
  for (const output of json.outputs as Output[]) {
    if (output.parameters === undefined) {
      result[output.name] = output.data!;
      continue;
    }
    const size = output.parameters.binary_data_size;
    const bytes = binary.subarray(offset, offset + size);
    offset += size;
    if (output.datatype === "INT64")
      result[output.name] = Array.from({ length: size / 8 }, (_, i) => Number(bytes.readBigInt64LE(i * 8)));
    else result[output.name] = Array.from({ length: size / 4 }, (_, i) => bytes.readFloatLE(i * 4));
  }
  expect(offset).toBe(binary.length);
  return result;
}

describe("binary tensor data extension", () => {
  it("answers binary inputs with binary outputs equal to the JSON answer", async () => {
    const plain = await fetch(url, { method: "POST", body: JSON.stringify(jsonRequest()) });
    const expected = readOutputs((await plain.json()) as Record<string, unknown>, Buffer.alloc(0));

    const { status, json, binary } = await sendBinary(blocksFor(), {
      parameters: { binary_data_output: true },
    });

    expect(status).toBe(200);
    expect(
      (json.outputs as Output[]).map((o) => [o.name, o.datatype, o.shape, o.parameters?.binary_data_size]),
    ).toEqual([
      ["label", "INT64", [N], N * 8],
      ["probabilities", "FP32", [N, 2], N * 2 * 4],
    ]);
    expect(readOutputs(json, binary)).toEqual(expected);
    expect(expected.label).toHaveLength(N);
  });

  it("reads a batch that runs alone (1,200 rows, blocks past the buffer pool's size) exactly as its JSON form", async () => {
    const plain = await fetch(url, { method: "POST", body: JSON.stringify(jsonRequest(1200)) });
    const expected = readOutputs((await plain.json()) as Record<string, unknown>, Buffer.alloc(0));

    const { status, json, binary } = await sendBinary(blocksFor("FP32", 1200), {
      parameters: { binary_data_output: true },
    });

    expect(status).toBe(200);
    expect(readOutputs(json, binary)).toEqual(expected);
    expect(expected.label).toHaveLength(1200);
  });

  it("returns only the outputs asked for, each as binary or JSON as asked", async () => {
    const { json, binary } = await sendBinary(blocksFor(), {
      outputs: [{ name: "probabilities", parameters: { binary_data: true } }, { name: "label" }],
    });

    const outputs = json.outputs as Output[];
    expect(outputs.map((o) => o.name)).toEqual(["probabilities", "label"]);
    expect(outputs[0]!.parameters?.binary_data_size).toBe(N * 8);
    expect(outputs[1]!.data).toHaveLength(N);
    expect(binary.length).toBe(N * 8);
  });

  it("reads FP64 and INT32 blocks as the same numbers", async () => {
    const double = await sendBinary(blocksFor("FP64"));
    const float = await sendBinary(blocksFor("FP32"));
    expect(readOutputs(double.json, double.binary)).toEqual(readOutputs(float.json, float.binary));

    const ints = blocksFor().map((b, j) =>
      j < 4
        ? {
            ...b,
            datatype: "INT32",
            bytes: encodeNumbers(
              "INT32",
              Array.from({ length: N }, (_, i) => (i % 3) - j),
            ),
          }
        : b,
    );
    const floats = blocksFor().map((b, j) =>
      j < 4
        ? {
            ...b,
            bytes: encodeNumbers(
              "FP32",
              Array.from({ length: N }, (_, i) => (i % 3) - j),
            ),
          }
        : b,
    );
    const fromInts = await sendBinary(ints);
    const fromFloats = await sendBinary(floats);
    expect(fromInts.status).toBe(200);
    expect(readOutputs(fromInts.json, fromInts.binary)).toEqual(
      readOutputs(fromFloats.json, fromFloats.binary),
    );
  });

  it.each([
    [
      "a block shorter than its shape",
      () => sendBinary(blocksFor().map((b, j) => (j === 0 ? { ...b, bytes: b.bytes.subarray(4) } : b))),
      /inputs\["x0"\]: binary_data_size is 96 bytes; 25 FP32 elements take 100/,
    ],
    [
      "sizes that do not add up to the binary data",
      () => sendBinary(blocksFor(), {}, { size: 8 }),
      /the binary data is \d+ bytes, but the inputs' binary_data_size add up to 40/,
    ],
    [
      "a JSON length past the end of the body",
      () => sendBinary(blocksFor(), {}, { header: 10_000_000 }),
      /Inference-Header-Content-Length is 10000000, but the body has only \d+ bytes/,
    ],
    [
      "a truncated BYTES block",
      () =>
        sendBinary(
          blocksFor().map((b) => (b.name === "plan" ? { ...b, bytes: b.bytes.subarray(0, 10) } : b)),
        ),
      /inputs\["plan"\]: element 1 is \d+ bytes, past the end|inputs\["plan"\]: binary data ends before element/,
    ],
    [
      "an output the model does not have",
      () => sendBinary(blocksFor(), { outputs: [{ name: "scores" }] }),
      /outputs\[0\]: the model has no output "scores"; it has label, probabilities/,
    ],
  ])("refuses %s with a 400 that says what is wrong", async (_case, send, message) => {
    const { status, json } = await send();
    expect(status).toBe(400);
    expect(String(json.error)).toMatch(message);
  });

  it("refuses binary_data_size without the Inference-Header-Content-Length header", async () => {
    const request = jsonRequest();
    (request.inputs[0] as Record<string, unknown>).parameters = { binary_data_size: 100 };
    const response = await fetch(url, { method: "POST", body: JSON.stringify(request) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(
      /inputs\["x0"\]\.parameters\.binary_data_size is set, but the request has no Inference-Header-Content-Length header/,
    );
  });

  it("lists the extension in the server metadata", async () => {
    const metadata = (await (await fetch(`${server.url}/v2`)).json()) as { extensions: string[] };
    expect(metadata.extensions).toContain("binary_tensor_data");
  });
});
