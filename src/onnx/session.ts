/**
 * The one wrapper around onnxruntime-node. Callers hand in raw columns and
 * get plain numbers and strings back: int64 outputs arrive from onnxruntime
 * as BigInt64Array, which `JSON.stringify` rejects, so they are converted
 * here, once.
 */
import * as ort from "onnxruntime-node";
import { OnnxError } from "../common/errors.js";

/** Element types an input or output may have, by ONNX tensor type name. */
export type OnnxElementType = "float" | "double" | "int64" | "int32" | "string" | "bool" | "other";

/** A graph input or output as onnxruntime reports it. */
export interface OnnxValueDescription {
  readonly name: string;
  readonly elementType: OnnxElementType;
  /** Dimension sizes; a string for a symbolic dimension, `null` when the rank is unknown. */
  readonly shape: readonly (number | string)[] | null;
}

/** A loaded model ready to run. */
export interface OnnxSession {
  readonly inputs: readonly OnnxValueDescription[];
  readonly outputs: readonly OnnxValueDescription[];
  /** Releases native memory. */
  release(): Promise<void>;
  /** @internal the onnxruntime session; only this module touches it. */
  readonly native: ort.InferenceSession;
}

/** Options for {@link createOnnxSession}. */
export interface OnnxSessionOptions {
  /**
   * Threads per run. Default 1: one thread keeps the tree-ensemble sums in
   * one order (so results are reproducible) and leaves cores to the rest of a
   * shared machine; a server may raise it.
   */
  readonly threads?: number;
  /** Run one synthetic row right away so the first real request does not pay for lazy initialisation. Default true. */
  readonly warmUp?: boolean;
  /** Named in error messages (a file path or model reference). */
  readonly source?: string;
}

/** One output tensor as plain JavaScript values. */
export interface OnnxOutput {
  readonly dims: readonly number[];
  /** Row-major values; floats as Float32Array, integers as numbers, strings as strings. */
  readonly values: Float32Array | readonly number[] | readonly string[];
}

/** Columns fed to a session, by input name: numeric as Float32Array (NaN = missing), categorical as strings ("" = missing). */
export type OnnxColumns = Readonly<Record<string, Float32Array | readonly string[]>>;

const TYPE_NAMES: Readonly<Record<string, OnnxElementType>> = {
  float32: "float",
  float64: "double",
  int64: "int64",
  int32: "int32",
  string: "string",
  bool: "bool",
};

function describe(metadata: readonly ort.InferenceSession.ValueMetadata[]): OnnxValueDescription[] {
  return metadata.map((m) =>
    m.isTensor
      ? {
          name: m.name,
          elementType: TYPE_NAMES[m.type] ?? "other",
          shape: m.shape.length > 0 ? [...m.shape] : null,
        }
      : { name: m.name, elementType: "other", shape: null },
  );
}

/** Loads ONNX bytes into onnxruntime-node. A file that does not load is an OnnxError naming `source`. */
export async function createOnnxSession(
  bytes: Uint8Array,
  options: OnnxSessionOptions = {},
): Promise<OnnxSession> {
  const source = options.source ?? "ONNX model";
  let native: ort.InferenceSession;
  try {
    native = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: options.threads ?? 1,
      interOpNumThreads: 1,
      executionMode: "sequential",
      logSeverityLevel: 3,
    });
  } catch (error) {
    throw new OnnxError(`${source}: onnxruntime could not load it: ${errorText(error)}`, { cause: error });
  }
  const session: OnnxSession = {
    inputs: describe(native.inputMetadata),
    outputs: describe(native.outputMetadata),
    release: () => native.release(),
    native,
  };
  // Only inputs we can synthesise; anything else is reported by the input check, not here.
  const simple = session.inputs.every((i) => ["float", "double", "string"].includes(i.elementType));
  if ((options.warmUp ?? true) && simple && session.inputs.length > 0) await warmUpOnnxSession(session);
  return session;
}

/** Runs one synthetic row (zeros, empty strings) through the model. */
export async function warmUpOnnxSession(session: OnnxSession): Promise<void> {
  const columns: Record<string, Float32Array | string[]> = {};
  for (const input of session.inputs) {
    columns[input.name] = input.elementType === "string" ? [""] : new Float32Array(1);
  }
  await runOnnxSession(session, columns);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function toTensor(
  session: OnnxSession,
  name: string,
  column: Float32Array | readonly string[],
  nRows: number,
): ort.Tensor {
  const input = session.inputs.find((i) => i.name === name);
  if (input === undefined) {
    throw new OnnxError(
      `the model has no input "${name}"; its inputs are ${session.inputs.map((i) => i.name).join(", ")}`,
    );
  }
  const rank = input.shape?.length ?? 2;
  const dims = rank === 1 ? [nRows] : [nRows, 1];
  if (input.elementType === "string") {
    if (column instanceof Float32Array) throw new OnnxError(`input "${name}" takes strings, got numbers`);
    return new ort.Tensor("string", [...column], dims);
  }
  if (!(column instanceof Float32Array)) throw new OnnxError(`input "${name}" takes numbers, got strings`);
  if (input.elementType === "float") return new ort.Tensor("float32", column, dims);
  if (input.elementType === "double") return new ort.Tensor("float64", Float64Array.from(column), dims);
  throw new OnnxError(
    `input "${name}" has element type ${input.elementType}; only float and string inputs are supported`,
  );
}

function toOutput(name: string, tensor: ort.Tensor): OnnxOutput {
  const dims = [...tensor.dims];
  const data = tensor.data;
  if (data instanceof Float32Array) return { dims, values: data };
  if (data instanceof BigInt64Array) {
    const values = Array.from(data, (v) => {
      const n = Number(v);
      if (!Number.isSafeInteger(n))
        throw new OnnxError(`output "${name}" holds ${v}, beyond JavaScript's safe integers`);
      return n;
    });
    return { dims, values };
  }
  if (Array.isArray(data)) return { dims, values: data };
  if (data instanceof Float64Array || data instanceof Int32Array || data instanceof Uint8Array) {
    return { dims, values: Array.from(data, Number) };
  }
  throw new OnnxError(`output "${name}" has tensor type ${tensor.type}, which is not supported`);
}

/**
 * Runs the model on equally long columns, one per graph input, and returns
 * every output as plain values.
 */
export async function runOnnxSession(
  session: OnnxSession,
  columns: OnnxColumns,
): Promise<Record<string, OnnxOutput>> {
  let nRows: number | undefined;
  for (const input of session.inputs) {
    const column = columns[input.name];
    if (column === undefined) throw new OnnxError(`no column given for model input "${input.name}"`);
    if (nRows !== undefined && column.length !== nRows) {
      throw new OnnxError(`column "${input.name}" has ${column.length} rows, the others ${nRows}`);
    }
    nRows = column.length;
  }
  if (nRows === undefined || nRows === 0)
    throw new OnnxError("nothing to run: the model has no inputs or no rows were given");
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of session.inputs)
    feeds[input.name] = toTensor(session, input.name, columns[input.name]!, nRows);
  let results: ort.InferenceSession.ReturnType;
  try {
    results = await session.native.run(feeds);
  } catch (error) {
    throw new OnnxError(`onnxruntime failed to run the model: ${errorText(error)}`, { cause: error });
  }
  const outputs: Record<string, OnnxOutput> = {};
  for (const [name, value] of Object.entries(results)) outputs[name] = toOutput(name, value);
  return outputs;
}

/** Names and element types of a model's inputs, from its bytes or an open session. */
export async function describeOnnxInputs(
  model: Uint8Array | OnnxSession,
  source = "ONNX model",
): Promise<readonly OnnxValueDescription[]> {
  if (!(model instanceof Uint8Array)) return model.inputs;
  const session = await createOnnxSession(model, { warmUp: false, source });
  try {
    return session.inputs;
  } finally {
    await session.release();
  }
}
