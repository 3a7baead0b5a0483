/**
 * Reads a model's predictions in one shape whoever exported it: our graphs
 * (`label`, `probabilities`, `prediction`) and skl2onnx ones converted with
 * `zipmap=False` (`label`/`output_label`, `probabilities`/`output_probability`,
 * `variable`). The evaluator and the server read models through this, so a
 * `model_type: command` model is evaluated exactly like a built-in one.
 */
import { OnnxError } from "../common/errors.js";
import type { Task } from "../learners/model.js";
import { runOnnxSession, type OnnxColumns, type OnnxSession, type OnnxValueDescription } from "./session.js";

/** Which graph outputs carry the prediction. */
export interface OnnxOutputRoles {
  readonly label?: string;
  readonly probabilities?: string;
  readonly prediction?: string;
}

/** Predictions of a classifier. */
export interface OnnxClassification {
  readonly task: "classification";
  readonly labels: readonly (string | number)[];
  /** Row-major `nRows × nClasses`, in the model's class order. */
  readonly probabilities: Float32Array;
  readonly nClasses: number;
}

/** Predictions of a regressor. */
export interface OnnxRegression {
  readonly task: "regression";
  readonly values: Float32Array;
}

const LABEL_NAMES = ["label", "output_label"];
const PROBABILITY_NAMES = ["probabilities", "output_probability"];
const PREDICTION_NAMES = ["prediction", "variable"];

function pick(
  outputs: readonly OnnxValueDescription[],
  names: readonly string[],
  fits: (o: OnnxValueDescription) => boolean,
): OnnxValueDescription | undefined {
  return outputs.find((o) => names.includes(o.name) && fits(o)) ?? outputs.find(fits);
}

/**
 * Finds the label and probability outputs (classification) or the value
 * output (regression).
 *
 * @throws OnnxError naming `source` when they are missing — e.g. a ZipMap
 * output, which onnxruntime-node cannot return (convert with `zipmap=False`).
 */
export function findOnnxOutputRoles(
  outputs: readonly OnnxValueDescription[],
  task: Task,
  source: string,
): OnnxOutputRoles {
  const list = outputs.map((o) => `${o.name}: ${o.elementType}`).join(", ");
  const zipmapHint = outputs.some((o) => o.elementType === "other")
    ? " A non-tensor output (such as skl2onnx's ZipMap) cannot be read by onnxruntime-node: convert with zipmap=False."
    : "";
  if (task === "regression") {
    const prediction = pick(
      outputs,
      PREDICTION_NAMES,
      (o) => o.elementType === "float" || o.elementType === "double",
    );
    if (prediction === undefined) {
      throw new OnnxError(
        `${source}: a regression model needs a float output for the prediction; it has ${list}.${zipmapHint}`,
      );
    }
    return { prediction: prediction.name };
  }
  const label = pick(outputs, LABEL_NAMES, (o) => o.elementType === "int64" || o.elementType === "string");
  const probabilities = pick(
    outputs,
    PROBABILITY_NAMES,
    (o) => o.elementType === "float" && (o.shape?.length ?? 2) === 2,
  );
  if (label === undefined || probabilities === undefined) {
    const missing =
      label === undefined ? "an int64 or string label output" : "a float [N, K] probabilities output";
    throw new OnnxError(`${source}: a classifier needs ${missing}; it has ${list}.${zipmapHint}`);
  }
  return { label: label.name, probabilities: probabilities.name };
}

/** Runs the model and returns labels and probabilities, or predicted values. */
export async function predictOnnx(
  session: OnnxSession,
  columns: OnnxColumns,
  task: Task,
  source = "ONNX model",
): Promise<OnnxClassification | OnnxRegression> {
  const roles = findOnnxOutputRoles(session.outputs, task, source);
  const out = await runOnnxSession(session, columns);
  const tensor = (name: string | undefined) => {
    const found = name === undefined ? undefined : out[name];
    if (found === undefined) throw new OnnxError(`${source}: output ${name} missing from the results`);
    return found;
  };
  if (task === "regression") {
    const values = tensor(roles.prediction).values;
    return {
      task,
      values: values instanceof Float32Array ? values : Float32Array.from(values as readonly number[]),
    };
  }
  const labels = tensor(roles.label);
  const probabilities = tensor(roles.probabilities);
  const nRows = labels.values.length;
  const probs = probabilities.values;
  if (!(probs instanceof Float32Array) || nRows === 0 || probs.length % nRows !== 0) {
    throw new OnnxError(`${source}: ${nRows} labels but ${probs.length} probabilities`);
  }
  // Labels are int64 (converted to numbers) or strings; a float label output is not a class.
  const labelValues = labels.values;
  if (labelValues instanceof Float32Array)
    throw new OnnxError(`${source}: the label output holds floats, not classes`);
  return { task, labels: labelValues, probabilities: probs, nClasses: probs.length / nRows };
}
