/**
 * Serving evaluation (the Action's `command: evaluate`, the CLI's `evaluate --serving`): re-evaluates the models serving now. For each
 * pipeline, the stable model of every environment its gates compare with
 * (production when none) is pulled and evaluated on the holdout its card
 * records; the pipeline's absolute gates are applied to the result.
 */
import { evaluateGates, type GateOutcome } from "../evaluation/gates.js";
import { listComparedEnvironments, readStableReference } from "./champions.js";
import { evaluateRegisteredModel, type RegisteredEvaluation } from "./evaluate-registered.js";
import { loadPipeline } from "./train.js";
import type { ModelRegistry } from "../registry/model-registry.js";

/** One environment's serving model, re-evaluated. */
export interface ServingEvaluation {
  readonly environment: string;
  /** The `stable` reference of the environment file; null when it serves nothing. */
  readonly stable: string | null;
  readonly result?: RegisteredEvaluation;
  readonly gates?: GateOutcome;
}

/** Evaluates the serving models of one pipeline. */
export async function evaluateServingModels(
  root: string,
  pipelinePath: string,
  registry: ModelRegistry,
): Promise<{ pipeline: string; environments: ServingEvaluation[] }> {
  const spec = await loadPipeline(root, pipelinePath);
  const compared = listComparedEnvironments(spec);
  const environments = compared.length > 0 ? compared : ["production"];
  const absolute = spec.evaluation.gates.filter((g) => g.compare_to === undefined);
  const out: ServingEvaluation[] = [];
  for (const environment of environments) {
    const stable = await readStableReference(root, environment);
    if (stable === null) {
      out.push({ environment, stable });
      continue;
    }
    const result = await evaluateRegisteredModel({ root, registry, ref: stable });
    out.push({ environment, stable, result, gates: evaluateGates(absolute, result.evaluation.metrics, {}) });
  }
  return { pipeline: spec.name, environments: out };
}
