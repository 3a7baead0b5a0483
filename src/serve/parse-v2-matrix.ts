/**
 * One `[N, F]` numeric tensor for a whole request — what most Open
 * Inference Protocol v2 clients send (Triton's and KServe's clients build
 * a batch as one 2-D array) — read as the model card's features in their
 * order. A model with categorical features cannot take it: those need a
 * tensor of their own, and the error says so.
 */
import type { CardFeature } from "../registry/model-card-schema.js";
import type { OnnxColumns } from "../onnx/index.js";
import { decodeNumericTensor } from "./binary-tensors.js";
import { RequestError } from "./request-error.js";

/** Datatypes a matrix may have. */
const MATRIX_TYPES: readonly string[] = ["FP32", "FP64", "FP16", "INT64", "INT32", "INT16", "INT8", "UINT8"];

/** A value refused as a model input: infinite, or beyond float32 (which the model computes in). */
export function isOutOfFloat32(value: number): boolean {
  return !Number.isNaN(value) && !Number.isFinite(Math.fround(value));
}

/** The 400 for a value beyond float32, naming where it was and what to send instead. */
export function outOfFloat32Error(where: string, value: unknown): RequestError {
  return new RequestError(
    400,
    `${where}: ${String(value)} is not a finite float32 number (|x| ≤ 3.4028235e38); send null for a missing value`,
  );
}

/** Whether `tensor` is a 2-D `[N, F]` tensor that names no feature: the matrix form. */
export function isMatrixInput(tensor: Record<string, unknown>, features: readonly CardFeature[]): boolean {
  const { shape, name } = tensor;
  return (
    Array.isArray(shape) &&
    shape.length === 2 &&
    !features.some((f) => f.name === name) &&
    (features.length > 1 || shape[1] !== 1)
  );
}

/** The data of a JSON matrix, flat in row-major order: a flat array, or one array per row. */
function flatData(data: unknown, n: number, f: number, where: string): unknown[] {
  if (!Array.isArray(data)) throw new RequestError(400, `${where}.data must be an array`);
  if (data.length === n && data.every((row) => Array.isArray(row))) {
    const rows = data as unknown[][];
    const bad = rows.findIndex((row) => row.length !== f);
    if (bad >= 0)
      throw new RequestError(
        400,
        `${where}.data[${bad}] has ${rows[bad]!.length} values; the shape says ${f}`,
      );
    return rows.flat();
  }
  if (data.length !== n * f)
    throw new RequestError(400, `${where}.data has ${data.length} values; shape [${n}, ${f}] needs ${n * f}`);
  return data;
}

/**
 * Reads the matrix into one float32 column per feature. `cell` reads one
 * JSON value (null and missing tokens as NaN), as for per-feature tensors.
 */
export function parseMatrixInput(
  tensor: Record<string, unknown>,
  features: readonly CardFeature[],
  block: Buffer | undefined,
  cell: (value: unknown, where: string) => number,
): { nRows: number; columns: OnnxColumns } {
  const where = `inputs["${String(tensor.name)}"]`;
  const categorical = features.filter((feature) => feature.type !== "numeric");
  if (categorical.length > 0) {
    throw new RequestError(
      400,
      `${where} is one [N, F] tensor, but this model takes categorical features (${categorical.map((c) => c.name).join(", ")}): send one tensor per feature, named as GET /v2/models/{name} lists them`,
    );
  }
  const shape = tensor.shape as unknown[];
  const [n, f] = shape;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0 || f !== features.length) {
    throw new RequestError(
      400,
      `${where}.shape is ${JSON.stringify(shape).slice(0, 80)}; the model takes [N, ${features.length}]: ${features.map((x) => x.name).join(", ")}, in this order`,
    );
  }
  const datatype = tensor.datatype;
  if (typeof datatype !== "string" || !MATRIX_TYPES.includes(datatype))
    throw new RequestError(400, `${where}.datatype must be one of ${MATRIX_TYPES.join(", ")}`);
  const columns: Record<string, Float32Array> = {};
  for (const feature of features) columns[feature.name] = new Float32Array(n);
  if (block !== undefined) {
    const values = decodeNumericTensor(block, datatype, n * f, where);
    for (let i = 0; i < values.length; i++) {
      if (isOutOfFloat32(values[i]!))
        throw outOfFloat32Error(`${where}[${Math.floor(i / f)}][${i % f}]`, values[i]);
      columns[features[i % f]!.name]![Math.floor(i / f)] = values[i]!;
    }
    return { nRows: n, columns };
  }
  const values = flatData(tensor.data, n, f, where);
  for (let i = 0; i < values.length; i++) {
    const row = Math.floor(i / f);
    const feature = features[i % f]!;
    columns[feature.name]![row] = cell(values[i], `${where}.data[${row}][${i % f}] (${feature.name})`);
  }
  return { nRows: n, columns };
}
