/**
 * Serving drift (the Action's `command: drift`, the CLI's `drift --serving`): has the pipeline's data moved away from what the serving
 * model was trained on? For each environment the pipeline compares with
 * (production when none), the stable model's reference profile (from its
 * card) is the reference and the pipeline's data file is the current window.
 */
import { expandDateTimeColumns, listRawColumns } from "../features/datetime.js";
import { loadTable } from "../data/load-table.js";
import { computeDriftReport, type DriftReport } from "../monitoring/drift/report.js";
import { listComparedEnvironments, readStableReference } from "./champions.js";
import { buildLoadRequest } from "./spec-mapping.js";
import { loadPipeline } from "./train.js";
import type { ModelRegistry } from "../registry/model-registry.js";
import { parseModelReference } from "../registry/reference.js";

/** One environment's drift check. */
export interface ServingDrift {
  readonly environment: string;
  readonly stable: string | null;
  readonly digest?: string;
  readonly report?: DriftReport;
}

/** Checks the pipeline's data against each serving model's training profile. */
export async function checkServingDrift(
  root: string,
  pipelinePath: string,
  registry: ModelRegistry,
): Promise<{ pipeline: string; dataPath: string; environments: ServingDrift[] }> {
  const spec = await loadPipeline(root, pipelinePath);
  const compared = listComparedEnvironments(spec);
  const out: ServingDrift[] = [];
  for (const environment of compared.length > 0 ? compared : ["production"]) {
    const stable = await readStableReference(root, environment);
    if (stable === null) {
      out.push({ environment, stable });
      continue;
    }
    const pulled = await registry.pull(parseModelReference(stable));
    const profile = pulled.card.reference_profile;
    // A date's parts are profiled as numbers; the data holds the date.
    const derived = new Map(pulled.card.features.map((f) => [f.name, f.derived_from] as const));
    const raw = listRawColumns(
      profile.columns.map((c) => ({ name: c.name, derived_from: derived.get(c.name) })),
    );
    const request = buildLoadRequest(root, spec.data_processing.data_source, raw.columns);
    const types = {
      ...Object.fromEntries(
        profile.columns
          .filter((c) => derived.get(c.name) === undefined)
          .map((c) => [c.name, c.kind] as const),
      ),
      ...Object.fromEntries(raw.datetimes.map((name) => [name, "categorical" as const])),
    };
    const current = expandDateTimeColumns(
      await loadTable(request.source, { ...request.options, types }),
      raw.datetimes,
      request.source.path,
    );
    // The profile keeps no raw rows, so the domain classifier cannot run.
    const report = await computeDriftReport(profile, current, { multivariate: false });
    out.push({ environment, stable, digest: pulled.digest, report });
  }
  return { pipeline: spec.name, dataPath: spec.data_processing.data_source.path, environments: out };
}
