/**
 * The Open Inference Protocol's binary tensor data extension (as KServe and
 * Triton implement it): the HTTP body is a JSON request of
 * `Inference-Header-Content-Length` bytes followed by the raw tensor bytes,
 * one block per input whose `parameters.binary_data_size` says how long it
 * is, in the order the inputs are listed. Elements are little-endian, row
 * major, unpadded; a BYTES element is a 4-byte little-endian length and then
 * its UTF-8 bytes. A batch of 1,000 rows × 20 features is 80 KB this way
 * against ~400 KB of JSON numbers, and needs no number parsing at all.
 */
import { endianness } from "node:os";
import { RequestError } from "./request-error.js";

/** Whether typed arrays share the wire's byte order, so FP32 blocks can be copied byte for byte. */
const LITTLE_ENDIAN = endianness() === "LE";

/** Name of the header that gives the JSON part's length, in requests and responses. */
export const INFERENCE_HEADER_LENGTH = "inference-header-content-length";

/** Bytes per element of the fixed-size datatypes we accept as numeric features. */
const ELEMENT_BYTES: Readonly<Record<string, number>> = {
  FP64: 8,
  FP32: 4,
  FP16: 2,
  INT64: 8,
  INT32: 4,
  INT16: 2,
  INT8: 1,
  UINT8: 1,
};

/** Splits a binary-extension body into its JSON text and its tensor bytes. */
export function splitBinaryBody(body: Buffer, headerValue: string): { json: Buffer; binary: Buffer } {
  if (!/^\d{1,12}$/.test(headerValue.trim())) {
    throw new RequestError(
      400,
      `header Inference-Header-Content-Length must be a byte count; got ${JSON.stringify(headerValue.slice(0, 40))}`,
    );
  }
  const length = Number(headerValue.trim());
  if (length > body.length) {
    throw new RequestError(
      400,
      `header Inference-Header-Content-Length is ${length}, but the body has only ${body.length} bytes`,
    );
  }
  return { json: body.subarray(0, length), binary: body.subarray(length) };
}

/** Half-precision bits → number. */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * Reads `n` numbers of `datatype` as float32 (NaN = missing, as in JSON's
 * null). `where` names the tensor in errors.
 */
export function decodeNumericTensor(bytes: Buffer, datatype: string, n: number, where: string): Float32Array {
  const size = ELEMENT_BYTES[datatype];
  if (size === undefined) throw new RequestError(400, `${where}: datatype ${datatype} cannot be binary here`);
  if (bytes.length !== n * size) {
    throw new RequestError(
      400,
      `${where}: binary_data_size is ${bytes.length} bytes; ${n} ${datatype} elements take ${n * size}`,
    );
  }
  if (datatype === "FP32" && LITTLE_ENDIAN) {
    // The block may start at any offset in the body, so it is copied (a memcpy) rather than viewed.
    // Node's buffer pool hands out 8-byte-aligned slices, so the copy can be viewed as floats.
    const copy = Buffer.allocUnsafe(bytes.length);
    bytes.copy(copy);
    if (copy.byteOffset % 4 === 0) return new Float32Array(copy.buffer, copy.byteOffset, n);
    return new Float32Array(new Uint8Array(copy).buffer);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  switch (datatype) {
    case "FP32":
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
      break;
    case "FP64":
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
      break;
    case "FP16":
      for (let i = 0; i < n; i++) out[i] = halfToNumber(view.getUint16(i * 2, true));
      break;
    case "INT64":
      for (let i = 0; i < n; i++) out[i] = Number(view.getBigInt64(i * 8, true));
      break;
    case "INT32":
      for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true);
      break;
    case "INT16":
      for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true);
      break;
    case "INT8":
      for (let i = 0; i < n; i++) out[i] = view.getInt8(i);
      break;
    default:
      for (let i = 0; i < n; i++) out[i] = view.getUint8(i);
  }
  return out;
}

/** Reads `n` BYTES elements (length-prefixed UTF-8) as strings. */
export function decodeBytesTensor(bytes: Buffer, n: number, where: string): string[] {
  const out = new Array<string>(n);
  let offset = 0;
  for (let i = 0; i < n; i++) {
    if (offset + 4 > bytes.length) {
      throw new RequestError(400, `${where}: binary data ends before element ${i} of ${n}`);
    }
    const length = bytes.readUInt32LE(offset);
    offset += 4;
    if (offset + length > bytes.length) {
      throw new RequestError(
        400,
        `${where}: element ${i} is ${length} bytes, past the end of the binary data`,
      );
    }
    out[i] = bytes.toString("utf8", offset, offset + length);
    offset += length;
  }
  if (offset !== bytes.length) {
    throw new RequestError(400, `${where}: ${bytes.length - offset} bytes are left after ${n} elements`);
  }
  return out;
}

/** Encodes strings as BYTES elements. */
export function encodeBytesTensor(values: readonly string[]): Buffer {
  const parts = values.map((v) => Buffer.from(v, "utf8"));
  const out = Buffer.allocUnsafe(parts.reduce((sum, p) => sum + 4 + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.writeUInt32LE(part.length, offset);
    part.copy(out, offset + 4);
    offset += 4 + part.length;
  }
  return out;
}

/** Encodes integers as INT64 elements. */
export function encodeInt64Tensor(values: readonly number[]): Buffer {
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i]!);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** The bytes of a float32 array, shared, not copied. */
export function float32Bytes(values: Float32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}
