/**
 * A minimal protocol-buffers writer: just what the ONNX messages need
 * (varints, 32-bit floats, length-delimited bytes and nested messages).
 * Writing our own keeps the runtime free of a protobuf library and makes
 * the bytes deterministic: same message, same bytes.
 */

/** Wire types of the protobuf encoding. */
const WIRE_VARINT = 0;
const WIRE_FIXED32 = 5;
const WIRE_LENGTH_DELIMITED = 2;

const utf8 = new TextEncoder();

/** An append-only byte buffer that grows by doubling. */
export interface ProtoWriter {
  bytes: Uint8Array;
  length: number;
}

/** Creates an empty writer. */
export function createProtoWriter(capacity = 256): ProtoWriter {
  return { bytes: new Uint8Array(Math.max(16, capacity)), length: 0 };
}

/** The bytes written so far (a copy, so the writer can be reused). */
export function finishProtoWriter(writer: ProtoWriter): Uint8Array {
  return writer.bytes.slice(0, writer.length);
}

function reserve(writer: ProtoWriter, extra: number): void {
  const needed = writer.length + extra;
  if (needed <= writer.bytes.length) return;
  let size = writer.bytes.length * 2;
  while (size < needed) size *= 2;
  const grown = new Uint8Array(size);
  grown.set(writer.bytes.subarray(0, writer.length));
  writer.bytes = grown;
}

/**
 * Writes an unsigned or signed integer as a varint. Negative values take the
 * 10-byte two's-complement form protobuf uses for `int64`/`int32`.
 */
export function writeVarint(writer: ProtoWriter, value: number | bigint): void {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(`protobuf varint needs a safe integer, got ${value}`);
    }
    if (value >= 0) {
      reserve(writer, 10);
      let v = value;
      // Division instead of bit shifts: shifts truncate to 32 bits.
      while (v >= 0x80) {
        writer.bytes[writer.length++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
      writer.bytes[writer.length++] = v;
      return;
    }
    writeVarint(writer, BigInt(value));
    return;
  }
  let v = BigInt.asUintN(64, value);
  reserve(writer, 10);
  while (v >= 0x80n) {
    writer.bytes[writer.length++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  writer.bytes[writer.length++] = Number(v);
}

function writeTag(writer: ProtoWriter, field: number, wireType: number): void {
  writeVarint(writer, field * 8 + wireType);
}

/** Writes a varint field (`int32`, `int64`, `enum`, `bool`). Zero is written too: proto2 fields are explicit. */
export function writeVarintField(writer: ProtoWriter, field: number, value: number | bigint): void {
  writeTag(writer, field, WIRE_VARINT);
  writeVarint(writer, value);
}

/** Writes a `float` field (rounded to float32, little-endian). */
export function writeFloatField(writer: ProtoWriter, field: number, value: number): void {
  writeTag(writer, field, WIRE_FIXED32);
  writeFloat32(writer, value);
}

const scratch = new DataView(new ArrayBuffer(4));

function writeFloat32(writer: ProtoWriter, value: number): void {
  reserve(writer, 4);
  // Through a scratch view so the wire order is little-endian on any host.
  scratch.setFloat32(0, value, true);
  const at = writer.length;
  writer.bytes[at] = scratch.getUint8(0);
  writer.bytes[at + 1] = scratch.getUint8(1);
  writer.bytes[at + 2] = scratch.getUint8(2);
  writer.bytes[at + 3] = scratch.getUint8(3);
  writer.length += 4;
}

/** Writes a `bytes` field. */
export function writeBytesField(writer: ProtoWriter, field: number, value: Uint8Array): void {
  writeTag(writer, field, WIRE_LENGTH_DELIMITED);
  writeVarint(writer, value.length);
  reserve(writer, value.length);
  writer.bytes.set(value, writer.length);
  writer.length += value.length;
}

/** Writes a `string` field as UTF-8. */
export function writeStringField(writer: ProtoWriter, field: number, value: string): void {
  writeBytesField(writer, field, utf8.encode(value));
}

/** Writes a nested message produced by `encode` as a length-delimited field. */
export function writeMessageField(
  writer: ProtoWriter,
  field: number,
  encode: (inner: ProtoWriter) => void,
): void {
  const inner = createProtoWriter();
  encode(inner);
  writeBytesField(writer, field, inner.bytes.subarray(0, inner.length));
}

/**
 * Writes a repeated `float` field packed (one length-delimited run). Parsers
 * accept packed and unpacked encodings alike; packed keeps big forests small.
 */
export function writePackedFloats(writer: ProtoWriter, field: number, values: ArrayLike<number>): void {
  if (values.length === 0) return;
  writeTag(writer, field, WIRE_LENGTH_DELIMITED);
  writeVarint(writer, values.length * 4);
  for (let i = 0; i < values.length; i++) writeFloat32(writer, values[i]!);
}

/** Writes a repeated varint field (`int64`, `int32`) packed. */
export function writePackedVarints(writer: ProtoWriter, field: number, values: ArrayLike<number>): void {
  if (values.length === 0) return;
  const inner = createProtoWriter(values.length * 2);
  for (let i = 0; i < values.length; i++) writeVarint(inner, values[i]!);
  writeBytesField(writer, field, inner.bytes.subarray(0, inner.length));
}
