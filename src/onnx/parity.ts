/**
 * Parity between the exported graph and the TypeScript model: what is served
 * must be what was evaluated. Labels must be identical except where the two
 * classes' probabilities tie within the tolerance (float32 sums may then
 * break the tie either way); probabilities, and regression values relative to
 * their size, must agree within the tolerance.
 */
import { OnnxError } from "../common/errors.js";
import type { Frame } from "../data/frame.js";
import type { FittedFeatures } from "../features/types.js";
import { transformFeatures } from "../features/transform.js";
import type { FittedModel, Task } from "../learners/model.js";
import { predictModel, type Prediction } from "../learners/predict.js";
import { buildClassLabels } from "./class-labels.js";
import { buildOnnxColumns } from "./columns.js";
import { ONNX_OUTPUTS } from "./export.js";
import { createOnnxSession, runOnnxSession, type OnnxOutput, type OnnxSession } from "./session.js";

/** Default tolerance: probabilities within 1e-5; regression values within 1e-5 × max(1, |value|). */
export const PARITY_TOLERANCE = 1e-5;

/** What a parity check found. */
export interface ParityReport {
  readonly rows: number;
  /** Largest |ONNX − TypeScript| over all probabilities (or scaled regression values). */
  readonly maxDifference: number;
  /** Rows whose labels differ because their top classes tie within the tolerance. */
  readonly tiedRows: readonly number[];
}

/** Inputs of {@link compareOnnxPredictions}. */
export interface CompareInput {
  /** Outputs of {@link runOnnxSession}. */
  readonly onnx: Readonly<Record<string, OnnxOutput>>;
  /** The TypeScript prediction for the same rows. */
  readonly reference: Pick<Prediction, "scores" | "nOutputs" | "labels">;
  readonly task: Task;
  /** Class labels by index, as given to the exporter; default 0 … K-1. */
  readonly classes?: readonly (string | number)[];
  readonly tolerance?: number;
  /** Maps a compared row to the row number to report (e.g. the data file's row). */
  readonly rowName?: (row: number) => string;
}

function output(onnx: Readonly<Record<string, OnnxOutput>>, name: string): OnnxOutput {
  const found = onnx[name];
  if (found === undefined) {
    throw new OnnxError(
      `parity check: the model has no "${name}" output (it has ${Object.keys(onnx).join(", ")})`,
    );
  }
  return found;
}

function formatValue(v: number): string {
  // Nine significant digits show every float32 digit without float64 noise.
  return String(Number(v.toPrecision(9)));
}

/** Compares ONNX outputs with the TypeScript prediction; throws an OnnxError naming the first differing row. */
export function compareOnnxPredictions(input: CompareInput): ParityReport {
  const { onnx, reference, task } = input;
  const tolerance = input.tolerance ?? PARITY_TOLERANCE;
  const K = reference.nOutputs;
  const n = reference.scores.length / K;
  const name = input.rowName ?? ((i: number) => `row ${i}`);
  let maxDifference = 0;
  const tiedRows: number[] = [];

  if (task === "regression") {
    const prediction = output(onnx, ONNX_OUTPUTS.prediction);
    if (prediction.values.length !== n) {
      throw new OnnxError(
        `parity check: ONNX returned ${prediction.values.length} predictions for ${n} rows`,
      );
    }
    for (let i = 0; i < n; i++) {
      const got = Number(prediction.values[i]);
      const want = reference.scores[i]!;
      const diff = Math.abs(got - want) / Math.max(1, Math.abs(want));
      if (!(diff <= tolerance)) {
        throw new OnnxError(
          `ONNX parity failed at ${name(i)}: prediction is ${formatValue(got)} in ONNX, ${formatValue(want)} in TypeScript (relative difference ${diff.toExponential(2)} > ${tolerance})`,
        );
      }
      maxDifference = Math.max(maxDifference, diff);
    }
    return { rows: n, maxDifference, tiedRows };
  }

  const labels = buildClassLabels(K, input.classes);
  const classIndex = new Map<string | number, number>(labels.values.map((v, k) => [v, k]));
  const onnxLabels = output(onnx, ONNX_OUTPUTS.label).values;
  const probabilities = output(onnx, ONNX_OUTPUTS.probabilities);
  if (onnxLabels.length !== n || probabilities.values.length !== n * K) {
    throw new OnnxError(
      `parity check: ONNX returned ${onnxLabels.length} labels and ${probabilities.values.length} probabilities for ${n} rows × ${K} classes`,
    );
  }
  const refLabels = reference.labels;
  if (refLabels === undefined) throw new OnnxError("parity check: the TypeScript prediction has no labels");
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) {
      const got = Number(probabilities.values[i * K + k]);
      const want = reference.scores[i * K + k]!;
      const diff = Math.abs(got - want);
      if (!(diff <= tolerance)) {
        throw new OnnxError(
          `ONNX parity failed at ${name(i)}: probability of class ${JSON.stringify(labels.values[k])} is ${formatValue(got)} in ONNX, ${formatValue(want)} in TypeScript (|difference| ${diff.toExponential(2)} > ${tolerance})`,
        );
      }
      maxDifference = Math.max(maxDifference, diff);
    }
    const onnxLabel = onnxLabels[i]!;
    const got = classIndex.get(onnxLabel);
    const want = refLabels[i]!;
    if (got === want) continue;
    const tie =
      got !== undefined &&
      Math.abs(reference.scores[i * K + got]! - reference.scores[i * K + want]!) <= tolerance;
    if (!tie) {
      throw new OnnxError(
        `ONNX parity failed at ${name(i)}: label is ${JSON.stringify(onnxLabel)} in ONNX, ${JSON.stringify(labels.values[want])} in TypeScript`,
      );
    }
    tiedRows.push(i);
  }
  return { rows: n, maxDifference, tiedRows };
}

/** Inputs of {@link checkOnnxParity}. */
export interface ParityInput {
  /** The exported bytes, or a session already open on them. */
  readonly onnx: Uint8Array | OnnxSession;
  readonly features: FittedFeatures;
  readonly model: FittedModel;
  /** The holdout data. */
  readonly frame: Frame;
  /** Holdout rows of `frame`; all rows when absent. */
  readonly rows?: Int32Array;
  readonly classes?: readonly (string | number)[];
  readonly tolerance?: number;
}

/**
 * Runs the ONNX model and the TypeScript model (transformFeatures → predictModel)
 * on the same rows and compares them.
 *
 * @throws OnnxError naming the first row that differs, with both values.
 */
export async function checkOnnxParity(input: ParityInput): Promise<ParityReport> {
  const { features, model, frame, rows } = input;
  const reference = predictModel(model, transformFeatures(features, frame, rows));
  const session =
    input.onnx instanceof Uint8Array
      ? await createOnnxSession(input.onnx, { source: "exported model" })
      : input.onnx;
  try {
    const onnx = await runOnnxSession(session, buildOnnxColumns(features, frame, rows));
    return compareOnnxPredictions({
      onnx,
      reference,
      task: model.task,
      ...(input.classes === undefined ? {} : { classes: input.classes }),
      ...(input.tolerance === undefined ? {} : { tolerance: input.tolerance }),
      rowName: (i) => (rows === undefined ? `holdout row ${i}` : `holdout row ${i} (data row ${rows[i]})`),
    });
  } finally {
    if (input.onnx instanceof Uint8Array) await session.release();
  }
}
