/**
 * Open Inference Protocol v2 model versions: `/v2/models/{name}/versions/{v}`
 * names one loaded model — by its card version (`v3`, as the metadata's
 * `versions` lists them) or by its role (`stable`, `candidate`) — so a
 * client can call or inspect the candidate directly, outside the traffic
 * split. An aborted candidate is not callable: it takes no traffic at all.
 */
import type { ServingRole } from "../../deploy/route.js";
import { RequestError } from "../request-error.js";
import type { Deployment, RolloutController, ServedModel } from "../rollout-controller.js";

/** A loaded model picked by version. */
export interface PinnedModel {
  readonly served: ServedModel;
  readonly role: ServingRole;
  readonly deployment: Deployment;
}

/** The version a v2 path names, percent-decoded; undefined when the path names none. */
export function versionOf(match: RegExpExecArray | null): string | undefined {
  const raw = match?.[2];
  return raw === undefined ? undefined : decodeURIComponent(raw);
}

/** The loaded models by role, stable first. */
function loaded(d: Deployment): { served: ServedModel; role: ServingRole }[] {
  const out: { served: ServedModel; role: ServingRole }[] = [];
  if (d.stable !== null) out.push({ served: d.stable, role: "stable" });
  if (d.candidate !== null) out.push({ served: d.candidate, role: "candidate" });
  return out;
}

/**
 * The model `version` names in the deployment serving `name`; a 404
 * RequestError naming the versions there are when it names none of them.
 */
export function resolveVersion(controller: RolloutController, name: string, version: string): PinnedModel {
  const d = controller.current();
  if (d === null || name !== d.env.model)
    throw new RequestError(404, `model ${JSON.stringify(name)} is not served here`);
  const models = loaded(d);
  const found =
    models.find((m) => m.role === version) ?? models.find((m) => m.served.slot.version === version);
  if (found === undefined) {
    const known = models.map((m) => `${m.served.slot.version} (${m.role})`).join(", ");
    throw new RequestError(
      404,
      `model ${JSON.stringify(name)} has no version ${JSON.stringify(version)} loaded; loaded: ${known || "none"}`,
    );
  }
  return { ...found, deployment: d };
}

/** Like {@link resolveVersion}, for inference: an aborted candidate answers 409 instead of a prediction. */
export function resolveCallableVersion(
  controller: RolloutController,
  name: string,
  version: string,
): PinnedModel {
  const pinned = resolveVersion(controller, name, version);
  if (pinned.role === "candidate" && pinned.deployment.rollout.phase === "aborted") {
    throw new RequestError(
      409,
      `version ${pinned.served.slot.version} of ${JSON.stringify(name)} is the aborted candidate; it takes no requests`,
    );
  }
  return pinned;
}
