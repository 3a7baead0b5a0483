/**
 * Status: what an environment file says now — model, stable, candidate,
 * strategy, quarantine — and when it last changed. Entry points render it.
 */
import type { StrategyType } from "../config/environment.js";
import type { DesiredState } from "./desired-state.js";
import { loadEnvironment } from "./environment-files.js";

/** One environment's desired state. */
export interface EnvironmentStatus {
  readonly name: string;
  readonly path: string;
  readonly model: string;
  readonly stable: string | null;
  readonly candidate: string | null;
  readonly strategy: StrategyType;
  readonly quarantine: readonly string[];
  /** The newest commit that changed the file, when there is a history. */
  readonly lastChange: { readonly commit: string; readonly date: string | undefined } | null;
}

/** The status of one environment. */
export async function readEnvironmentStatus(state: DesiredState, name: string): Promise<EnvironmentStatus> {
  const env = await loadEnvironment(state, name);
  const latest = (await state.history(env.path, 1))[0];
  return {
    name: env.name,
    path: env.path,
    model: env.spec.model,
    stable: env.spec.stable ?? null,
    candidate: env.spec.candidate ?? null,
    strategy: env.spec.strategy.type,
    quarantine: env.spec.quarantine,
    lastChange: latest === undefined ? null : { commit: latest.commit, date: latest.date },
  };
}

/** The status of each named environment, in the order given. */
export async function readEnvironmentStatuses(
  state: DesiredState,
  names: readonly string[],
): Promise<EnvironmentStatus[]> {
  const out: EnvironmentStatus[] = [];
  for (const name of names) {
    out.push(await readEnvironmentStatus(state, name));
  }
  return out;
}
