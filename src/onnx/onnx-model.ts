/**
 * Plain-data ONNX messages (ModelProto, GraphProto, NodeProto, AttributeProto,
 * TensorProto, ValueInfoProto) and their protobuf encoding. Field numbers
 * follow onnx/onnx.proto; only the fields the exporter writes are modelled.
 */
import {
  createProtoWriter,
  finishProtoWriter,
  writeFloatField,
  writeMessageField,
  writePackedFloats,
  writePackedVarints,
  writeStringField,
  writeVarintField,
  type ProtoWriter,
} from "./protobuf.js";

/** `TensorProto.DataType` codes of the element types we use. */
export const TENSOR_ELEMENT_TYPES = {
  float: 1,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  double: 11,
} as const;

/** A tensor element type, by its ONNX name. */
export type TensorElementType = keyof typeof TENSOR_ELEMENT_TYPES;

/** `AttributeProto.AttributeType` codes. */
const ATTRIBUTE_TYPES = {
  float: 1,
  int: 2,
  string: 3,
  tensor: 4,
  floats: 6,
  ints: 7,
  strings: 8,
} as const;

/** One node attribute. Floats are written as float32, as ONNX stores them. */
export type OnnxAttribute =
  | { readonly name: string; readonly type: "float"; readonly value: number }
  | { readonly name: string; readonly type: "int"; readonly value: number }
  | { readonly name: string; readonly type: "string"; readonly value: string }
  | { readonly name: string; readonly type: "floats"; readonly value: ArrayLike<number> }
  | { readonly name: string; readonly type: "ints"; readonly value: ArrayLike<number> }
  | { readonly name: string; readonly type: "strings"; readonly value: readonly string[] }
  | { readonly name: string; readonly type: "tensor"; readonly value: OnnxTensor };

/** A constant tensor (an initializer or a tensor attribute). */
export interface OnnxTensor {
  readonly name: string;
  readonly elementType: "float" | "int64" | "string";
  readonly dims: readonly number[];
  /** Values in row-major order; numbers for float/int64, strings for string. */
  readonly values: ArrayLike<number> | readonly string[];
}

/** One operator application. */
export interface OnnxNode {
  readonly opType: string;
  /** Empty for the default `ai.onnx` domain. */
  readonly domain: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly OnnxAttribute[];
}

/** A graph input or output: a tensor with an element type and a shape (`null` or a name for an unknown dimension). */
export interface OnnxValueInfo {
  readonly name: string;
  readonly elementType: TensorElementType;
  readonly shape: readonly (number | string | null)[];
}

/** The computation graph. */
export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly initializers: readonly OnnxTensor[];
}

/** An operator set the model declares. */
export interface OnnxOpsetImport {
  /** Empty string for `ai.onnx`. */
  readonly domain: string;
  readonly version: number;
}

/** A whole model file. */
export interface OnnxModel {
  readonly irVersion: number;
  readonly opsetImports: readonly OnnxOpsetImport[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly modelVersion: number;
  readonly docString: string;
  readonly graph: OnnxGraph;
  /** Written as `metadata_props`, in key order so the bytes do not depend on insertion order. */
  readonly metadata: Readonly<Record<string, string>>;
}

function writeTensor(w: ProtoWriter, tensor: OnnxTensor): void {
  writePackedVarints(w, 1, tensor.dims);
  writeVarintField(w, 2, TENSOR_ELEMENT_TYPES[tensor.elementType]);
  if (tensor.elementType === "float") {
    writePackedFloats(w, 4, tensor.values as ArrayLike<number>);
  } else if (tensor.elementType === "int64") {
    writePackedVarints(w, 7, tensor.values as ArrayLike<number>);
  } else {
    for (const s of tensor.values as readonly string[]) writeStringField(w, 6, s);
  }
  writeStringField(w, 8, tensor.name);
}

function writeAttribute(w: ProtoWriter, attribute: OnnxAttribute): void {
  writeStringField(w, 1, attribute.name);
  switch (attribute.type) {
    case "float":
      writeFloatField(w, 2, attribute.value);
      break;
    case "int":
      writeVarintField(w, 3, attribute.value);
      break;
    case "string":
      writeStringField(w, 4, attribute.value);
      break;
    case "tensor":
      writeMessageField(w, 5, (inner) => writeTensor(inner, attribute.value));
      break;
    case "floats":
      writePackedFloats(w, 7, attribute.value);
      break;
    case "ints":
      writePackedVarints(w, 8, attribute.value);
      break;
    case "strings":
      for (const s of attribute.value) writeStringField(w, 9, s);
      break;
  }
  writeVarintField(w, 20, ATTRIBUTE_TYPES[attribute.type]);
}

function writeNode(w: ProtoWriter, node: OnnxNode): void {
  for (const input of node.inputs) writeStringField(w, 1, input);
  for (const output of node.outputs) writeStringField(w, 2, output);
  writeStringField(w, 3, node.name);
  writeStringField(w, 4, node.opType);
  for (const attribute of node.attributes)
    writeMessageField(w, 5, (inner) => writeAttribute(inner, attribute));
  if (node.domain !== "") writeStringField(w, 7, node.domain);
}

function writeValueInfo(w: ProtoWriter, info: OnnxValueInfo): void {
  writeStringField(w, 1, info.name);
  // TypeProto { tensor_type (1): Tensor { elem_type (1), shape (2): TensorShapeProto { dim (1) } } }
  writeMessageField(w, 2, (type) =>
    writeMessageField(type, 1, (tensor) => {
      writeVarintField(tensor, 1, TENSOR_ELEMENT_TYPES[info.elementType]);
      writeMessageField(tensor, 2, (shape) => {
        for (const dim of info.shape) {
          writeMessageField(shape, 1, (d) => {
            if (typeof dim === "number") writeVarintField(d, 1, dim);
            else if (typeof dim === "string") writeStringField(d, 2, dim);
          });
        }
      });
    }),
  );
}

function writeGraph(w: ProtoWriter, graph: OnnxGraph): void {
  for (const node of graph.nodes) writeMessageField(w, 1, (inner) => writeNode(inner, node));
  writeStringField(w, 2, graph.name);
  for (const tensor of graph.initializers) writeMessageField(w, 5, (inner) => writeTensor(inner, tensor));
  for (const input of graph.inputs) writeMessageField(w, 11, (inner) => writeValueInfo(inner, input));
  for (const output of graph.outputs) writeMessageField(w, 12, (inner) => writeValueInfo(inner, output));
}

/** Encodes a model as ONNX protobuf bytes. Deterministic: the same model gives the same bytes. */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const w = createProtoWriter(4096);
  writeVarintField(w, 1, model.irVersion);
  writeStringField(w, 2, model.producerName);
  writeStringField(w, 3, model.producerVersion);
  writeVarintField(w, 5, model.modelVersion);
  if (model.docString !== "") writeStringField(w, 6, model.docString);
  writeMessageField(w, 7, (inner) => writeGraph(inner, model.graph));
  for (const opset of model.opsetImports) {
    writeMessageField(w, 8, (inner) => {
      writeStringField(inner, 1, opset.domain);
      writeVarintField(inner, 2, opset.version);
    });
  }
  for (const key of Object.keys(model.metadata).sort()) {
    writeMessageField(w, 14, (inner) => {
      writeStringField(inner, 1, key);
      writeStringField(inner, 2, model.metadata[key] ?? "");
    });
  }
  return finishProtoWriter(w);
}
