/**
 * The Action's outputs from per-pipeline results. One pipeline: plain
 * values; several: a JSON map keyed by pipeline name. Pure.
 */
import type { ActionOutputName } from "./inputs.js";

/** What one pipeline contributes to the outputs. */
export interface PipelineOutputs {
  /** `name:vN@sha256:…`; "" when nothing was pushed. */
  readonly modelRef: string;
  readonly modelDigest: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly gatesPassed: boolean;
  /** Path of the markdown report. */
  readonly report: string;
}

function valueOf(
  name: ActionOutputName,
  out: PipelineOutputs,
): string | boolean | Readonly<Record<string, number>> {
  switch (name) {
    case "model-ref":
      return out.modelRef;
    case "model-digest":
      return out.modelDigest;
    case "metrics":
      return out.metrics;
    case "gates-passed":
      return out.gatesPassed;
    case "report":
      return out.report;
  }
}

/** The output values, keyed by output name, from results keyed by pipeline name. */
export function buildOutputValues(
  results: ReadonlyMap<string, PipelineOutputs>,
): Record<ActionOutputName, string> {
  const names: ActionOutputName[] = ["model-ref", "model-digest", "metrics", "gates-passed", "report"];
  const out = {} as Record<ActionOutputName, string>;
  for (const name of names) {
    if (results.size === 1) {
      const only = [...results.values()][0]!;
      const value = valueOf(name, only);
      out[name] = typeof value === "string" ? value : JSON.stringify(value);
    } else {
      const map: Record<string, unknown> = {};
      for (const [pipeline, result] of results) map[pipeline] = valueOf(name, result);
      out[name] = JSON.stringify(map);
    }
  }
  return out;
}
