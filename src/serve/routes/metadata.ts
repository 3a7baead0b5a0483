/** Model metadata (Open Inference Protocol v2), and the "is this model served here" check of both protocols. */
import { RequestError } from "../request-error.js";
import type { RolloutController } from "../rollout-controller.js";

/** The v2 metadata of model `name`; throws a 404 RequestError when it is not the model served. */
export function describeModel(controller: RolloutController, name: string): unknown {
  const d = controller.current();
  const served = d?.stable ?? d?.candidate;
  if (d === null || served === null || served === undefined || name !== d.env.model) {
    throw new RequestError(404, `model ${JSON.stringify(name)} is not served here`);
  }
  const card = served.slot.card;
  return {
    name: d.env.model,
    versions: [d.stable?.slot.version, d.candidate?.slot.version].filter((v) => v !== undefined),
    platform: "onnxruntime_onnx",
    inputs: card.features.map((f) => ({
      name: f.name,
      datatype: f.type === "numeric" ? "FP32" : "BYTES",
      shape: [-1, 1],
    })),
    outputs:
      card.task === "classification"
        ? [
            {
              name: "label",
              datatype: typeof card.classes?.[0] === "string" ? "BYTES" : "INT64",
              shape: [-1],
            },
            { name: "probabilities", datatype: "FP32", shape: [-1, card.classes?.length ?? -1] },
          ]
        : [{ name: "prediction", datatype: "FP32", shape: [-1] }],
    parameters: {
      task: card.task,
      target: card.target,
      classes: card.classes ?? null,
      digest: served.slot.digest,
      metrics: card.metrics,
    },
  };
}
