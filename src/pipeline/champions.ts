/**
 * Champion vs challenger: the model an environment serves now (its
 * `stable`) is pulled and evaluated on the challenger's holdout rows, so a
 * relative gate compares like with like.
 */
import { resolve } from "node:path";
import { DataError } from "../common/errors.js";
import { EnvironmentSpec } from "../config/environment.js";
import { loadConfigFile } from "../config/load-yaml.js";
import type { PipelineSpec } from "../config/pipeline.js";
import type { ChampionMetrics } from "../evaluation/gates.js";
import { createOnnxSession } from "../onnx/index.js";
import type { ModelRegistry } from "../registry/model-registry.js";
import { parseModelReference } from "../registry/reference.js";
import { evaluateOnnxModel } from "./evaluate-onnx.js";
import type { PreparedData } from "./prepare-data.js";

/** The environments the pipeline's gates compare to. */
export function listComparedEnvironments(spec: PipelineSpec): string[] {
  return [...new Set(spec.evaluation.gates.flatMap((g) => (g.compare_to ? [g.compare_to] : [])))];
}

/** Reads `environments/<name>.yaml`'s stable reference (null when it serves nothing yet). */
export async function readStableReference(root: string, environment: string): Promise<string | null> {
  const config = await loadConfigFile(resolve(root, "environments", `${environment}.yaml`), EnvironmentSpec);
  return config.value.stable;
}

/**
 * Evaluates each compared environment's stable model on the holdout.
 * An environment that serves nothing yet maps to `null`.
 */
export async function evaluateChampions(
  spec: PipelineSpec,
  data: PreparedData,
  context: { root: string; registry: ModelRegistry },
): Promise<ChampionMetrics> {
  const out: Record<string, { ref: string; metrics: Readonly<Record<string, number>> } | null> = {};
  for (const environment of listComparedEnvironments(spec)) {
    const stable = await readStableReference(context.root, environment);
    if (stable === null) {
      out[environment] = null;
      continue;
    }
    const pulled = await context.registry.pull(parseModelReference(stable));
    if (pulled.card.task !== data.task) {
      throw new DataError(
        `${environment}'s model ${stable} is a ${pulled.card.task} model; this pipeline is ${data.task}`,
      );
    }
    const championClasses = (pulled.card.classes ?? []).map(String);
    if (championClasses.join("\u0000") !== data.classes.join("\u0000")) {
      throw new DataError(
        `${environment}'s model ${stable} predicts classes [${championClasses.join(", ")}], the holdout has [${data.classes.join(", ")}]; they cannot be compared`,
      );
    }
    const session = await createOnnxSession(pulled.onnx, { source: stable });
    try {
      const evaluation = await evaluateOnnxModel({
        session,
        schema: { features: pulled.card.features.map((f) => ({ name: f.name, kind: f.type })) },
        task: data.task,
        classes: data.classes,
        frame: data.test.frame,
        rows: data.test.rows,
        yTrue: data.test.y,
        source: `${environment} champion ${stable}`,
      });
      out[environment] = { ref: stable, metrics: evaluation.metrics };
    } finally {
      await session.release();
    }
  }
  return out;
}
