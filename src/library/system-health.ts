/**
 * One picture of the system for scripts and dashboards: what every
 * environment file asks for, what a running server actually serves, the
 * last decisions the engine took, and whether the registry answers. Each
 * part fails on its own and says why, so one unreachable piece never hides
 * the others.
 */
import { stat } from "node:fs/promises";
import type { LogRecord } from "../decision/decision-log.js";
import { loadDecisionLogPaths } from "../decision/decision-log-file.js";
import type { ModelRegistry } from "../registry/model-registry.js";
import { loadEnvironment } from "../operations/environment-files.js";
import { createLocalDesiredState, listLocalEnvironments } from "../operations/local-desired-state.js";

/** One environment file's desired state, or why it cannot be read. */
export type EnvironmentHealth =
  | {
      readonly name: string;
      readonly path: string;
      readonly ok: true;
      readonly model: string;
      readonly stable: string | null;
      readonly candidate: string | null;
      readonly strategy: string;
      readonly quarantine: readonly string[];
    }
  | { readonly name: string; readonly path: string; readonly ok: false; readonly error: string };

/** What a server's `/v1/rollout` answered, or why it did not. */
export type ServingHealth =
  | { readonly url: string; readonly ok: true; readonly rollout: unknown }
  | { readonly url: string; readonly ok: false; readonly error: string };

/** The last decisions of the engine (the decision log's `decision` records). */
export interface IncidentSummary {
  readonly id: string;
  readonly at: string;
  readonly environment: string;
  readonly model: string;
  readonly kind: string;
  readonly severity: string;
  /** What the engine did: rollback, diagnose, retrain, ask a human… */
  readonly action: string;
  readonly reasonCode: string;
}

/** The whole picture. */
export interface SystemHealth {
  readonly environments: readonly EnvironmentHealth[];
  readonly serving: readonly ServingHealth[];
  readonly lastIncidents: readonly IncidentSummary[];
  readonly registry: {
    readonly location: string;
    readonly reachable: boolean;
    readonly models?: number;
    readonly error?: string;
  };
}

/** What {@link collectSystemHealth} reads. */
export interface HealthSources {
  readonly root: string;
  readonly registry: ModelRegistry;
  readonly serverUrls: readonly string[];
  /** JSONL decision log file, or a folder of its month shards; no incidents listed when absent or missing. */
  readonly decisionLog?: string;
  readonly fetch: typeof fetch;
  readonly incidentLimit: number;
  readonly timeoutMs: number;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function readEnvironments(root: string): Promise<EnvironmentHealth[]> {
  const state = createLocalDesiredState({ root });
  const out: EnvironmentHealth[] = [];
  for (const name of await listLocalEnvironments(root, state.environmentsDir)) {
    const path = `${state.environmentsDir}/${name}.yaml`;
    try {
      const { spec } = await loadEnvironment(state, name);
      out.push({
        name: spec.name,
        path,
        ok: true,
        model: spec.model,
        stable: spec.stable,
        candidate: spec.candidate ?? null,
        strategy: spec.strategy.type,
        quarantine: spec.quarantine,
      });
    } catch (error) {
      out.push({ name, path, ok: false, error: message(error) });
    }
  }
  return out;
}

async function readServing(url: string, sources: HealthSources): Promise<ServingHealth> {
  try {
    const response = await sources.fetch(new URL("/v1/rollout", url), {
      signal: AbortSignal.timeout(sources.timeoutMs),
    });
    if (!response.ok) return { url, ok: false, error: `GET /v1/rollout answered ${response.status}` };
    return { url, ok: true, rollout: await response.json() };
  } catch (error) {
    return { url, ok: false, error: message(error) };
  }
}

async function readIncidents(sources: HealthSources): Promise<IncidentSummary[]> {
  if (sources.decisionLog === undefined) return [];
  try {
    await stat(sources.decisionLog);
  } catch {
    return [];
  }
  // A file, or a folder of month shards (a checkout of the meta-controller/state branch).
  const records: readonly LogRecord[] = await loadDecisionLogPaths([sources.decisionLog]);
  const decisions: IncidentSummary[] = [];
  for (const record of records) {
    if (record.type !== "decision") continue;
    decisions.push({
      id: record.id,
      at: record.at,
      environment: record.environment,
      model: record.model,
      kind: record.kind,
      severity: record.severity,
      action: record.action,
      reasonCode: record.reason_code,
    });
  }
  return decisions.slice(-sources.incidentLimit).reverse();
}

async function readRegistry(registry: ModelRegistry): Promise<SystemHealth["registry"]> {
  try {
    const models = await registry.listModels();
    return { location: registry.location, reachable: true, models: models.length };
  } catch (error) {
    return { location: registry.location, reachable: false, error: message(error) };
  }
}

/** Collects the picture; the parts are read concurrently. */
export async function collectSystemHealth(sources: HealthSources): Promise<SystemHealth> {
  const [environments, serving, lastIncidents, registry] = await Promise.all([
    readEnvironments(sources.root),
    Promise.all(sources.serverUrls.map((url) => readServing(url, sources))),
    readIncidents(sources),
    readRegistry(sources.registry),
  ]);
  return { environments, serving, lastIncidents, registry };
}
