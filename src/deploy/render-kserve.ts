/**
 * Renders an environment file as a KServe `InferenceService` (v1beta1) for
 * users who serve at scale on Kubernetes. KServe's own canary keeps the
 * previous ready revision and sends `canaryTrafficPercent` to the newest
 * one, so the newest revision carries the candidate and the percentage
 * follows our rollout. Models are pulled by KServe's OCI storage (modelcars),
 * hence the registry must be a remote OCI registry.
 */
import { stringify } from "yaml";
import { UsageError } from "../common/errors.js";
import type { EnvironmentSpec } from "../config/environment.js";

/** Inputs besides the environment. */
export interface RenderKserveOptions {
  /** `oci://host[:port]/namespace`; overrides the environment's `registry`. */
  readonly registry?: string;
  /** Kubernetes namespace of the resource. */
  readonly namespace?: string;
  /** Candidate traffic percent now (from `/v1/rollout`); default: the strategy's first step. */
  readonly candidateWeight?: number;
}

/** A Kubernetes name (RFC 1123 label) made from model and environment names. */
export function buildResourceName(model: string, environment: string): string {
  const raw = `${model.split("/").pop() ?? model}-${environment}`.toLowerCase();
  const name = raw
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");
  return name.length > 0 ? name : "model";
}

function storageUri(registry: string, ref: string): string {
  const base = registry.replace(/\/+$/, "");
  const selector = ref.slice(ref.indexOf("@") === -1 ? ref.indexOf(":") : ref.indexOf("@"));
  const name = ref.split("@")[0]!.split(":")[0]!;
  return `${base}/${name.split("/").pop()}${selector}`;
}

function initialWeight(env: EnvironmentSpec): number {
  if (env.strategy.type === "simple") return 100;
  if (env.strategy.type === "blue-green") return 0;
  return env.strategy.steps[0] ?? 100;
}

/**
 * Builds the InferenceService YAML text. Throws UsageError when the
 * environment serves nothing yet or names a registry Kubernetes cannot pull
 * from.
 */
export function renderKserve(env: EnvironmentSpec, options: RenderKserveOptions = {}): string {
  const registry = options.registry ?? env.registry;
  if (registry === undefined || !registry.startsWith("oci://")) {
    throw new UsageError(
      `environment ${env.name}: KServe pulls models from an OCI registry; the registry is ${registry === undefined ? "the local default" : JSON.stringify(registry)}. Set registry: oci://host/namespace or pass --registry.`,
    );
  }
  const serving = env.candidate ?? env.stable;
  if (serving === null || serving === undefined) {
    throw new UsageError(`environment ${env.name}: neither stable nor candidate is set; nothing to render`);
  }
  const weight = options.candidateWeight ?? initialWeight(env);
  if (!(weight >= 0 && weight <= 100)) {
    throw new UsageError(`candidate weight must be between 0 and 100; got ${weight}`);
  }
  const canary = env.candidate != null && env.stable != null && weight < 100;
  const annotations: Record<string, string> = {
    "meta-controller.io/environment": env.name,
    "meta-controller.io/strategy": env.strategy.type,
  };
  if (env.stable) annotations["meta-controller.io/stable"] = env.stable;
  if (env.candidate) annotations["meta-controller.io/candidate"] = env.candidate;
  const document = {
    apiVersion: "serving.kserve.io/v1beta1",
    kind: "InferenceService",
    metadata: {
      name: buildResourceName(env.model, env.name),
      ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
      labels: {
        "app.kubernetes.io/name": buildResourceName(env.model, "model").replace(/-model$/, ""),
        "app.kubernetes.io/managed-by": "meta-controller",
      },
      annotations,
    },
    spec: {
      predictor: {
        ...(canary ? { canaryTrafficPercent: weight } : {}),
        model: {
          modelFormat: { name: "onnx" },
          protocolVersion: "v2",
          storageUri: storageUri(registry, serving),
        },
      },
    },
  };
  return stringify(document, { lineWidth: 0 });
}
