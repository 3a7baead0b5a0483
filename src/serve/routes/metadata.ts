/** Model metadata (Open Inference Protocol v2), and the "is this model served here" check of both protocols. */
import { listRawColumns } from "../../features/datetime.js";
import { RequestError } from "../request-error.js";
import type { RolloutController } from "../rollout-controller.js";
import { resolveVersion } from "./model-version.js";

/**
 * The v2 metadata of model `name` (of one version when `version` is given,
 * else of the stable); throws a 404 RequestError when it is not served.
 */
export function describeModel(controller: RolloutController, name: string, version?: string): unknown {
  const d = controller.current();
  const first = d?.stable ?? d?.candidate;
  if (d === null || first === null || first === undefined || name !== d.env.model) {
    throw new RequestError(404, `model ${JSON.stringify(name)} is not served here`);
  }
  const served = version === undefined ? first : resolveVersion(controller, name, version).served;
  const card = served.slot.card;
  return {
    name: d.env.model,
    ...(version === undefined ? {} : { version: served.slot.version }),
    versions: [d.stable?.slot.version, d.candidate?.slot.version].filter((v) => v !== undefined),
    platform: "onnxruntime_onnx",
    // What a request sends: a date's parts come from one BYTES tensor of ISO 8601 dates.
    inputs: listRawColumns(card.features).columns.map((name) => {
      const feature = card.features.find((f) => f.name === name);
      return {
        name,
        datatype: feature?.type === "numeric" ? "FP32" : "BYTES",
        shape: [-1, 1],
        ...(feature === undefined ? { parameters: { content: "datetime" } } : {}),
      };
    }),
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
      // Roles name versions too: /v2/models/{name}/versions/candidate/infer calls the candidate.
      roles: { stable: d.stable?.slot.version ?? null, candidate: d.candidate?.slot.version ?? null },
    },
  };
}
