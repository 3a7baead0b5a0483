import onnxProto from "onnx-proto";
import { describe, expect, it } from "vitest";
import { encodeOnnxModel, type OnnxModel } from "../../src/onnx/onnx-model.js";
import { createProtoWriter, finishProtoWriter, writeVarint } from "../../src/onnx/protobuf.js";

const { onnx } = onnxProto;

/** The decoded fields the tests read, as protobufjs's `toObject` gives them. */
interface DecodedTensor {
  name: string;
  dims: number[];
  dataType: number;
  floatData: number[];
  int64Data: number[];
  stringData: Uint8Array[];
}
interface DecodedValueInfo {
  name: string;
  type: { tensorType: { elemType: number; shape: { dim: { dimValue?: number; dimParam?: string }[] } } };
}
interface DecodedAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: DecodedTensor;
  floats: number[];
  ints: number[];
  strings: Uint8Array[];
}
interface DecodedModel {
  irVersion: number;
  modelVersion: number;
  producerName: string;
  docString: string;
  opsetImport: { domain: string; version: number }[];
  metadataProps: { key: string; value: string }[];
  graph: {
    node: {
      opType: string;
      domain?: string;
      name: string;
      input: string[];
      output: string[];
      attribute: DecodedAttribute[];
    }[];
    input: DecodedValueInfo[];
    output: DecodedValueInfo[];
    initializer: DecodedTensor[];
  };
}

/** Decodes with the reference protobufjs decoder generated from onnx.proto. */
function decode(bytes: Uint8Array): DecodedModel {
  const message = onnx.ModelProto.decode(bytes);
  return onnx.ModelProto.toObject(message, { longs: Number, arrays: true }) as DecodedModel;
}

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

const model: OnnxModel = {
  irVersion: 8,
  opsetImports: [
    { domain: "", version: 17 },
    { domain: "ai.onnx.ml", version: 3 },
  ],
  producerName: "meta-controller",
  producerVersion: "0.1.0",
  modelVersion: 7,
  docString: "round trip",
  metadata: { zeta: "last", alpha: "ünïcødé" },
  graph: {
    name: "g",
    inputs: [
      { name: "age", elementType: "float", shape: [null, 1] },
      { name: "plan", elementType: "string", shape: ["N", 1] },
    ],
    outputs: [{ name: "label", elementType: "int64", shape: [null] }],
    initializers: [
      { name: "w", elementType: "float", dims: [2, 2], values: [0.5, -1.25, 3, 1e-3] },
      { name: "ids", elementType: "int64", dims: [3], values: [-1, 0, 2 ** 40] },
      { name: "names", elementType: "string", dims: [2], values: ["a", "β"] },
    ],
    nodes: [
      {
        opType: "TreeEnsembleClassifier",
        domain: "ai.onnx.ml",
        name: "n0",
        inputs: ["age", "plan"],
        outputs: ["label", "probabilities"],
        attributes: [
          { name: "f", type: "float", value: Number.NaN },
          { name: "i", type: "int", value: -1 },
          { name: "s", type: "string", value: "LOGISTIC" },
          { name: "fs", type: "floats", value: Float64Array.of(0.1, -2.5, 2 ** -126) },
          { name: "is", type: "ints", value: [0, 1, 127, 128, 300, -5] },
          { name: "ss", type: "strings", value: ["BRANCH_LEQ", "LEAF", ""] },
          { name: "t", type: "tensor", value: { name: "c", elementType: "float", dims: [1], values: [4] } },
        ],
      },
      { opType: "Concat", domain: "", name: "n1", inputs: ["x"], outputs: ["y"], attributes: [] },
    ],
  },
};

describe("encodeOnnxModel", () => {
  const decoded = decode(encodeOnnxModel(model));
  const graph = decoded.graph;
  const attribute = (name: string) => graph.node[0]!.attribute.find((a) => a.name === name)!;

  it("writes the model header and opsets", () => {
    expect([decoded.irVersion, decoded.modelVersion, decoded.producerName, decoded.docString]).toEqual([
      8,
      7,
      "meta-controller",
      "round trip",
    ]);
    expect(decoded.opsetImport).toEqual([
      { domain: "", version: 17 },
      { domain: "ai.onnx.ml", version: 3 },
    ]);
  });

  it("writes metadata_props sorted by key", () => {
    expect(decoded.metadataProps).toEqual([
      { key: "alpha", value: "ünïcødé" },
      { key: "zeta", value: "last" },
    ]);
  });

  it("writes graph inputs with element types and shapes", () => {
    const [age, plan] = graph.input;
    expect(age!.name).toBe("age");
    expect(age!.type.tensorType.elemType).toBe(onnx.TensorProto.DataType.FLOAT);
    expect(age!.type.tensorType.shape.dim).toEqual([{}, { dimValue: 1 }]);
    expect(plan!.type.tensorType.elemType).toBe(onnx.TensorProto.DataType.STRING);
    expect(plan!.type.tensorType.shape.dim).toEqual([{ dimParam: "N" }, { dimValue: 1 }]);
    expect(graph.output[0]!.type.tensorType.elemType).toBe(onnx.TensorProto.DataType.INT64);
  });

  it("writes nodes with domain, inputs and outputs", () => {
    expect(graph.node.map((n) => [n.opType, n.domain ?? "", n.name, n.input, n.output])).toEqual([
      ["TreeEnsembleClassifier", "ai.onnx.ml", "n0", ["age", "plan"], ["label", "probabilities"]],
      ["Concat", "", "n1", ["x"], ["y"]],
    ]);
  });

  it.each([
    ["f", onnx.AttributeProto.AttributeType.FLOAT],
    ["i", onnx.AttributeProto.AttributeType.INT],
    ["s", onnx.AttributeProto.AttributeType.STRING],
    ["fs", onnx.AttributeProto.AttributeType.FLOATS],
    ["is", onnx.AttributeProto.AttributeType.INTS],
    ["ss", onnx.AttributeProto.AttributeType.STRINGS],
    ["t", onnx.AttributeProto.AttributeType.TENSOR],
  ])("tags attribute %s with its AttributeType", (name, type) => {
    expect(attribute(name).type).toBe(type);
  });

  it("writes attribute values: float32 floats, signed int64 ints, UTF-8 strings", () => {
    expect(attribute("f").f).toBeNaN();
    expect(attribute("i").i).toBe(-1);
    expect(text(attribute("s").s)).toBe("LOGISTIC");
    expect(attribute("fs").floats).toEqual([Math.fround(0.1), -2.5, 2 ** -126]);
    expect(attribute("is").ints).toEqual([0, 1, 127, 128, 300, -5]);
    expect(attribute("ss").strings.map(text)).toEqual(["BRANCH_LEQ", "LEAF", ""]);
    expect(attribute("t").t!.floatData).toEqual([4]);
  });

  it("writes initializers of every element type", () => {
    const [w, ids, names] = graph.initializer;
    expect(w!.dims).toEqual([2, 2]);
    expect(w!.dataType).toBe(onnx.TensorProto.DataType.FLOAT);
    expect(w!.floatData).toEqual([0.5, -1.25, 3, Math.fround(1e-3)]);
    expect(ids!.dataType).toBe(onnx.TensorProto.DataType.INT64);
    expect(ids!.int64Data).toEqual([-1, 0, 2 ** 40]);
    expect(names!.stringData.map(text)).toEqual(["a", "β"]);
  });

  it("is deterministic, whatever the metadata insertion order", () => {
    expect(encodeOnnxModel(model)).toEqual(
      encodeOnnxModel({ ...model, metadata: { alpha: "ünïcødé", zeta: "last" } }),
    );
  });
});

describe("writeVarint", () => {
  it.each([
    [0, [0x00]],
    [1, [0x01]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [300, [0xac, 0x02]],
    [2 ** 32, [0x80, 0x80, 0x80, 0x80, 0x10]],
    [-1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
  ])("encodes %d as the protobuf varint bytes", (value, bytes) => {
    const writer = createProtoWriter();
    writeVarint(writer, value);
    expect(Array.from(finishProtoWriter(writer))).toEqual(bytes);
  });

  it("rejects a value that is not a safe integer", () => {
    expect(() => writeVarint(createProtoWriter(), 1.5)).toThrow(/safe integer, got 1.5/);
  });
});
