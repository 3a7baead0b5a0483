/**
 * Predictions → response bodies: KServe v1 JSON, and Open Inference
 * Protocol v2 as JSON or, for outputs asked for as binary data, as a JSON
 * header followed by the raw tensor bytes (see binary-tensors.ts).
 */
import type { Task } from "../learners/model.js";
import { encodeBytesTensor, encodeInt64Tensor, float32Bytes } from "./binary-tensors.js";
import type { Prediction } from "./micro-batch.js";
import type { RequestedOutput } from "./parse-request.js";
import { RequestError } from "./request-error.js";

/** The output tensors a model of `task` returns over v2, in order. */
export function v2OutputNames(task: Task): readonly string[] {
  return task === "classification" ? ["label", "probabilities"] : ["prediction"];
}

/** Refuses, before the model runs, a request that asks for an output the model does not have. */
export function checkRequestedOutputs(task: Task, requested: readonly RequestedOutput[] | null): void {
  if (requested === null) return;
  const names = v2OutputNames(task);
  for (const [i, output] of requested.entries()) {
    if (!names.includes(output.name)) {
      throw new RequestError(
        400,
        `outputs[${i}]: the model has no output ${JSON.stringify(output.name)}; it has ${names.join(", ")}`,
      );
    }
  }
}

/** KServe v1: `{"predictions": […], "probabilities": [[…], …]}`. */
export function formatV1(prediction: Prediction, nRows: number): unknown {
  if (prediction.task === "regression") return { predictions: Array.from(prediction.values) };
  const k = prediction.nClasses;
  const probabilities: number[][] = new Array<number[]>(nRows);
  for (let i = 0; i < nRows; i++)
    probabilities[i] = Array.from(prediction.probabilities.subarray(i * k, i * k + k));
  return { predictions: prediction.labels, probabilities };
}

interface V2Tensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly datatype: string;
  /** JSON values. */
  readonly data: () => unknown[];
  /** The same values as binary-extension bytes. */
  readonly bytes: () => Buffer;
}

function v2Tensors(prediction: Prediction, nRows: number): V2Tensor[] {
  if (prediction.task === "regression") {
    const values = prediction.values;
    return [
      {
        name: "prediction",
        shape: [nRows],
        datatype: "FP32",
        data: () => Array.from(values),
        bytes: () => float32Bytes(values),
      },
    ];
  }
  const labels = prediction.labels;
  const numeric = labels.every((l) => typeof l === "number");
  const probabilities = prediction.probabilities;
  return [
    {
      name: "label",
      shape: [nRows],
      datatype: numeric ? "INT64" : "BYTES",
      data: () => [...labels],
      bytes: () => (numeric ? encodeInt64Tensor(labels) : encodeBytesTensor(labels.map(String))),
    },
    {
      name: "probabilities",
      shape: [nRows, prediction.nClasses],
      datatype: "FP32",
      data: () => Array.from(probabilities),
      bytes: () => float32Bytes(probabilities),
    },
  ];
}

/** A v2 response: the JSON document, and the binary blocks that follow it (none for plain JSON). */
export interface V2Response {
  readonly json: unknown;
  readonly binary: readonly Buffer[];
}

/** Builds the v2 response for the outputs asked for (all when `requested` is null). */
export function formatV2(
  prediction: Prediction,
  nRows: number,
  head: { readonly model_name: string; readonly model_version: string; readonly id: string },
  requested: readonly RequestedOutput[] | null,
  allBinary: boolean,
): V2Response {
  const tensors = v2Tensors(prediction, nRows);
  const chosen =
    requested === null
      ? tensors.map((tensor) => ({ tensor, binary: allBinary }))
      : requested.map((r) => ({
          tensor: tensors.find((t) => t.name === r.name)!,
          binary: allBinary || r.binary,
        }));
  const binary: Buffer[] = [];
  const outputs = chosen.map(({ tensor, binary: asBinary }) => {
    const base = { name: tensor.name, shape: tensor.shape, datatype: tensor.datatype };
    if (!asBinary) return { ...base, data: tensor.data() };
    const bytes = tensor.bytes();
    binary.push(bytes);
    return { ...base, parameters: { binary_data_size: bytes.length } };
  });
  return { json: { ...head, outputs }, binary };
}
