/**
 * JSON request bodies → model input columns, checked against the model
 * card's features. Every rejection is a {@link RequestError} whose message
 * names the field (and the row), so a caller can fix the request without
 * reading server logs. Values are read by the loaders' rules
 * (`readNumericValue`, `readCategoryValue` in data/cells.ts): numbers become
 * float32 columns (null or a missing-value token such as "NA" = NaN), and
 * categories normalised strings (null, "" or a missing-value token = "").
 */
import { DEFAULT_MISSING_TOKENS, readCategoryValue, readNumericValue } from "../data/cells.js";
import type { CardFeature, ModelCard } from "../registry/model-card-schema.js";
import type { OnnxColumns } from "../onnx/index.js";
import { decodeBytesTensor, decodeNumericTensor } from "./binary-tensors.js";
import { isMatrixInput, isOutOfFloat32, outOfFloat32Error, parseMatrixInput } from "./parse-v2-matrix.js";
import { readDateTimePart, type DateTimePart } from "../features/datetime.js";
import { RequestError } from "./request-error.js";

export { RequestError };

/** Rows accepted in one request; more is a 413 rather than a long stall. */
export const MAX_ROWS = 100_000;

/** Parsed input: equally long columns, one per feature. */
export interface ParsedInput {
  readonly nRows: number;
  readonly columns: OnnxColumns;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (value === undefined) return "nothing";
  return `${typeof value} ${String(JSON.stringify(value)).slice(0, 40)}`;
}

function checkRows(n: number, field: string): void {
  if (n === 0) throw new RequestError(400, `${field} is empty; send at least one row`);
  if (n > MAX_ROWS) throw new RequestError(413, `${field} has ${n} rows; at most ${MAX_ROWS} per request`);
}

/** The missing-value tokens a model's training data was read with: its pipeline's, else the default ones. */
export function readMissingTokens(card: Pick<ModelCard, "pipeline">): ReadonlySet<string> {
  // Every request reads these; a card is immutable once loaded, so one set per card.
  const cached = missingByCard.get(card);
  if (cached !== undefined) return cached;
  const source = (card.pipeline.data_processing as { data_source?: { missing_values?: unknown } } | undefined)
    ?.data_source;
  const tokens = Array.isArray(source?.missing_values)
    ? (source.missing_values as unknown[])
    : DEFAULT_MISSING_TOKENS;
  const missing = new Set(tokens.filter((t): t is string => typeof t === "string").map((t) => t.trim()));
  missingByCard.set(card, missing);
  return missing;
}

const missingByCard = new WeakMap<object, ReadonlySet<string>>();

const DEFAULT_MISSING: ReadonlySet<string> = new Set(DEFAULT_MISSING_TOKENS);

function numericCell(value: unknown, where: string, missing: ReadonlySet<string>): number {
  const read = readNumericValue(value, missing);
  if (read !== undefined && isOutOfFloat32(read)) throw outOfFloat32Error(where, value);
  if (read !== undefined) return read;
  const tokens = [...missing].map((t) => JSON.stringify(t)).join(", ");
  throw new RequestError(
    400,
    `${where}: expected a number, null or a missing-value token (${tokens}), got ${describeType(value)}`,
  );
}

/** One part of a date sent for a datetime column; 400 naming the field when it is not a date. */
function dateTimeCell(
  value: unknown,
  where: string,
  part: DateTimePart,
  missing: ReadonlySet<string>,
): number {
  const read = readDateTimePart(value, part, missing);
  if (read !== undefined) return read;
  throw new RequestError(
    400,
    `${where}: expected an ISO 8601 date (2026-12-07 or 2026-12-07T10:30:00Z) or null, got ${describeType(value)}`,
  );
}

/** How a missing input is named: `"name" (kind)`; a date's part by the column the request sends. */
function describeInput(feature: CardFeature): string {
  const source = feature.derived_from;
  return source === undefined ? `"${feature.name}" (${feature.type})` : `"${source.column}" (datetime)`;
}

function categoricalCell(value: unknown, where: string, missing: ReadonlySet<string>): string {
  const read = readCategoryValue(value, missing);
  if (read !== undefined) return read;
  throw new RequestError(400, `${where}: expected a string or null, got ${describeType(value)}`);
}

/**
 * KServe v1: `{"instances": [{feature: value, …}, …]}`, or each instance as
 * an array in the card's feature order.
 */
export function parseV1Instances(
  body: unknown,
  features: readonly CardFeature[],
  missing: ReadonlySet<string> = DEFAULT_MISSING,
): ParsedInput {
  if (!isRecord(body))
    throw new RequestError(400, `the body must be a JSON object with "instances"; got ${describeType(body)}`);
  const instances = body.instances;
  if (!Array.isArray(instances)) {
    throw new RequestError(400, `field "instances" must be an array of rows; got ${describeType(instances)}`);
  }
  const n = instances.length;
  checkRows(n, "instances");
  const numeric = features.map((f) => (f.type === "numeric" ? new Float32Array(n) : undefined));
  const text = features.map((f) => (f.type === "categorical" ? new Array<string>(n) : undefined));
  for (let i = 0; i < n; i++) {
    const row: unknown = instances[i];
    const byName = isRecord(row);
    if (!byName && !Array.isArray(row)) {
      throw new RequestError(400, `instances[${i}] must be an object or an array; got ${describeType(row)}`);
    }
    if (Array.isArray(row) && row.length !== features.length) {
      throw new RequestError(
        400,
        `instances[${i}] has ${row.length} values; the model takes ${features.length} (${features.map((f) => f.name).join(", ")})`,
      );
    }
    for (let j = 0; j < features.length; j++) {
      const feature = features[j]!;
      let value: unknown;
      if (byName) {
        const source = feature.derived_from;
        // A date's part: the row sends the date under the datetime column's name.
        if (source !== undefined && !Object.hasOwn(row, feature.name) && Object.hasOwn(row, source.column)) {
          numeric[j]![i] = dateTimeCell(
            row[source.column],
            `instances[${i}].${source.column}`,
            source.part,
            missing,
          );
          continue;
        }
        if (!Object.hasOwn(row, feature.name)) {
          throw new RequestError(400, `instances[${i}]: missing field ${describeInput(feature)}`);
        }
        value = row[feature.name];
      } else {
        value = (row as unknown[])[j];
      }
      const where = `instances[${i}].${feature.name}`;
      const column = numeric[j];
      if (column !== undefined) column[i] = numericCell(value, where, missing);
      else text[j]![i] = categoricalCell(value, where, missing);
    }
  }
  const columns: Record<string, Float32Array | string[]> = {};
  features.forEach((f, j) => (columns[f.name] = numeric[j] ?? text[j]!));
  return { nRows: n, columns };
}

const V2_TYPES = {
  numeric: ["FP32", "FP64", "FP16", "INT64", "INT32", "INT16", "INT8", "UINT8"],
  categorical: ["BYTES"],
} as const;

/** An output a v2 request asks for. */
export interface RequestedOutput {
  readonly name: string;
  /** Return it as binary data (binary tensor data extension). */
  readonly binary: boolean;
}

/** A parsed v2 request. */
export interface ParsedV2Input extends ParsedInput {
  readonly id?: string;
  /** The outputs asked for, in order; `null` when the request names none (all are returned). */
  readonly outputs: readonly RequestedOutput[] | null;
  /** `parameters.binary_data_output`: every output as binary data. */
  readonly allBinary: boolean;
}

function nonNegativeInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** Where each input's binary block lies, by input name, in the order the inputs are listed. */
function locateBinaryBlocks(
  inputs: readonly Record<string, unknown>[],
  binary: Buffer | undefined,
): Map<string, Buffer> {
  const blocks = new Map<string, Buffer>();
  let offset = 0;
  for (const input of inputs) {
    const parameters = input.parameters;
    if (!isRecord(parameters) || parameters.binary_data_size === undefined) continue;
    const where = `inputs["${String(input.name)}"].parameters.binary_data_size`;
    const size = parameters.binary_data_size;
    if (!nonNegativeInteger(size))
      throw new RequestError(400, `${where} must be a byte count; got ${describeType(size)}`);
    if (binary === undefined) {
      throw new RequestError(
        400,
        `${where} is set, but the request has no Inference-Header-Content-Length header to say where the JSON ends`,
      );
    }
    if (offset + size > binary.length) {
      throw new RequestError(
        400,
        `${where} is ${size}, past the end of the binary data (${binary.length} bytes)`,
      );
    }
    blocks.set(input.name as string, binary.subarray(offset, offset + size));
    offset += size;
  }
  if (binary !== undefined && offset !== binary.length) {
    throw new RequestError(
      400,
      `the binary data is ${binary.length} bytes, but the inputs' binary_data_size add up to ${offset}`,
    );
  }
  return blocks;
}

function parseRequestedOutputs(body: Record<string, unknown>): readonly RequestedOutput[] | null {
  if (body.outputs === undefined) return null;
  if (!Array.isArray(body.outputs)) {
    throw new RequestError(
      400,
      `field "outputs" must be an array of {name}; got ${describeType(body.outputs)}`,
    );
  }
  return body.outputs.map((output: unknown, i) => {
    if (!isRecord(output) || typeof output.name !== "string") {
      throw new RequestError(400, `outputs[${i}] must be an object with a string "name"`);
    }
    const parameters = output.parameters;
    return { name: output.name, binary: isRecord(parameters) && parameters.binary_data === true };
  });
}

function checkShape(shape: unknown, n: number | undefined, where: string): number {
  const ok =
    Array.isArray(shape) &&
    shape.length >= 1 &&
    shape.length <= 2 &&
    shape.every((d) => nonNegativeInteger(d)) &&
    (shape.length === 1 || shape[1] === 1) &&
    (n === undefined || shape[0] === n);
  if (!ok) {
    const expected = n === undefined ? "[N] or [N, 1]" : `[${n}] or [${n}, 1]`;
    throw new RequestError(
      400,
      `${where}.shape must be ${expected}; got ${JSON.stringify(shape)?.slice(0, 80)}`,
    );
  }
  return shape[0]!;
}

/**
 * Open Inference Protocol v2: `{"inputs": [{name, shape, datatype, data}]}`
 * with one tensor per feature, shaped `[N]` or `[N, 1]`, or one `[N, F]`
 * numeric tensor holding every feature in the card's order. With `binary` (the
 * bytes after the JSON of a binary-extension request), inputs that carry
 * `parameters.binary_data_size` are read from it instead of `data`.
 */
export function parseV2Inputs(
  body: unknown,
  features: readonly CardFeature[],
  binary?: Buffer,
  missing: ReadonlySet<string> = DEFAULT_MISSING,
): ParsedV2Input {
  if (!isRecord(body))
    throw new RequestError(400, `the body must be a JSON object with "inputs"; got ${describeType(body)}`);
  const inputs = body.inputs;
  if (!Array.isArray(inputs)) {
    throw new RequestError(400, `field "inputs" must be an array of tensors; got ${describeType(inputs)}`);
  }
  const byName = new Map<string, Record<string, unknown>>();
  for (const [i, input] of inputs.entries()) {
    if (!isRecord(input) || typeof input.name !== "string") {
      throw new RequestError(400, `inputs[${i}] must be an object with a string "name"`);
    }
    if (byName.has(input.name)) {
      throw new RequestError(400, `inputs[${i}]: tensor "${input.name}" is given twice`);
    }
    byName.set(input.name, input);
  }
  const blocks = locateBinaryBlocks([...byName.values()], binary);
  const only = byName.size === 1 ? [...byName.values()][0]! : undefined;
  if (only !== undefined && isMatrixInput(only, features)) {
    const matrix = parseMatrixInput(only, features, blocks.get(only.name as string), (value, where) =>
      numericCell(value, where, missing),
    );
    checkRows(matrix.nRows, `inputs["${String(only.name)}"]`);
    return withRequestFields(body, matrix.nRows, matrix.columns);
  }
  let nRows: number | undefined;
  const columns: Record<string, Float32Array | string[]> = {};
  for (const feature of features) {
    const source = feature.derived_from;
    if (source !== undefined && !byName.has(feature.name) && byName.has(source.column)) {
      const column = parseDateTimeTensor(
        byName.get(source.column)!,
        source,
        blocks.get(source.column),
        missing,
        nRows,
      );
      nRows = column.length;
      columns[feature.name] = column;
      continue;
    }
    const tensor = byName.get(feature.name);
    if (tensor === undefined) throw new RequestError(400, `inputs: missing tensor ${describeInput(feature)}`);
    const where = `inputs["${feature.name}"]`;
    const { shape, datatype, data } = tensor;
    const allowed: readonly string[] = V2_TYPES[feature.type];
    if (typeof datatype !== "string" || !allowed.includes(datatype)) {
      throw new RequestError(
        400,
        `${where}.datatype must be one of ${allowed.join(", ")}; got ${describeType(datatype)}`,
      );
    }
    const block = blocks.get(feature.name);
    if (block === undefined && !Array.isArray(data))
      throw new RequestError(400, `${where}.data must be a flat array; got ${describeType(data)}`);
    const n = checkShape(shape, block === undefined ? (data as unknown[]).length : undefined, where);
    if (nRows !== undefined && n !== nRows) {
      throw new RequestError(400, `${where} has ${n} rows; the other inputs have ${nRows}`);
    }
    nRows = n;
    checkRows(nRows, where);
    if (block !== undefined) {
      columns[feature.name] =
        feature.type === "numeric"
          ? checkFloat32Column(decodeNumericTensor(block, datatype, n, where), where)
          : decodeBytesTensor(block, n, where).map((v, i) => categoricalCell(v, `${where}[${i}]`, missing));
    } else if (feature.type === "numeric") {
      const values = data as unknown[];
      const column = new Float32Array(n);
      for (let i = 0; i < n; i++) column[i] = numericCell(values[i], `${where}.data[${i}]`, missing);
      columns[feature.name] = column;
    } else {
      const values = data as unknown[];
      const column = new Array<string>(n);
      for (let i = 0; i < n; i++) column[i] = categoricalCell(values[i], `${where}.data[${i}]`, missing);
      columns[feature.name] = column;
    }
  }
  return withRequestFields(body, nRows ?? 0, columns);
}

/** A binary numeric column, refused at its first infinite value (NaN stays: it is a missing value). */
function checkFloat32Column(column: Float32Array, where: string): Float32Array {
  for (let i = 0; i < column.length; i++)
    if (isOutOfFloat32(column[i]!)) throw outOfFloat32Error(`${where}[${i}]`, column[i]);
  return column;
}

/** A date's part, from the BYTES tensor of the datetime column a v2 request sends. */
function parseDateTimeTensor(
  tensor: Record<string, unknown>,
  source: NonNullable<CardFeature["derived_from"]>,
  block: Buffer | undefined,
  missing: ReadonlySet<string>,
  nRows: number | undefined,
): Float32Array {
  const where = `inputs["${source.column}"]`;
  if (tensor.datatype !== "BYTES")
    throw new RequestError(
      400,
      `${where}.datatype must be BYTES (ISO 8601 dates); got ${describeType(tensor.datatype)}`,
    );
  if (block === undefined && !Array.isArray(tensor.data))
    throw new RequestError(400, `${where}.data must be a flat array; got ${describeType(tensor.data)}`);
  const n = checkShape(
    tensor.shape,
    block === undefined ? (tensor.data as unknown[]).length : undefined,
    where,
  );
  if (nRows !== undefined && n !== nRows)
    throw new RequestError(400, `${where} has ${n} rows; the other inputs have ${nRows}`);
  checkRows(n, where);
  const values: unknown[] =
    block === undefined ? (tensor.data as unknown[]) : decodeBytesTensor(block, n, where);
  const column = new Float32Array(n);
  for (let i = 0; i < n; i++)
    column[i] = dateTimeCell(values[i], `${where}.data[${i}]`, source.part, missing);
  return column;
}

/** The parsed request: the columns, and the request's id and output choices. */
function withRequestFields(
  body: Record<string, unknown>,
  nRows: number,
  columns: ParsedInput["columns"],
): ParsedV2Input {
  const id = typeof body.id === "string" ? body.id : undefined;
  const parameters = body.parameters;
  return {
    nRows,
    columns,
    outputs: parseRequestedOutputs(body),
    allBinary: isRecord(parameters) && parameters.binary_data_output === true,
    ...(id === undefined ? {} : { id }),
  };
}
