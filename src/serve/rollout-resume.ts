/**
 * Which rollout a newly applied environment continues: the one already
 * running (or stored before a restart) when the file still names the same
 * models and plan; an abort whenever it still names the aborted candidate,
 * whatever else changed; otherwise a new rollout. Pure: the caller passes
 * what it knows and gets a state back.
 */
import { MAX_HISTORY, type RolloutPlan, type RolloutState } from "../deploy/rollout.js";
import type { PersistedRollout } from "./rollout-store.js";

/** What the environment being applied names, by digest. */
export interface RolloutTarget {
  readonly environment: string;
  readonly stable: string | null;
  readonly candidate: string | null;
  readonly plan: RolloutPlan;
}

/** Whether two plans would run the same rollout. */
export function isSamePlan(a: RolloutPlan, b: RolloutPlan): boolean {
  return (
    a.type === b.type &&
    a.intervalMs === b.intervalMs &&
    a.maxFailedChecks === b.maxFailedChecks &&
    a.steps.join(",") === b.steps.join(",")
  );
}

/**
 * The rollout to continue for `target`, given the one known before (in
 * memory, or read back after a restart); null when a new rollout starts.
 * `fresh` is the new rollout's first state, used as the base of a kept abort.
 */
export function decideResumedRollout(
  prior: PersistedRollout | undefined,
  target: RolloutTarget,
  fresh: RolloutState,
  now: number,
): RolloutState | null {
  if (prior === undefined || prior.environment !== target.environment) return null;
  if (target.candidate === null || prior.candidate !== target.candidate) return null;
  if (prior.stable === target.stable && isSamePlan(prior.rollout.plan, target.plan)) return prior.rollout;
  if (prior.rollout.phase !== "aborted") return null;
  // The file changed around an aborted candidate (a new stable, other steps): it stays aborted.
  const reason = `candidate ${target.candidate} was aborted before; it stays aborted until the file names another candidate`;
  return {
    ...fresh,
    phase: "aborted",
    candidateWeight: 0,
    failedChecks: prior.rollout.failedChecks,
    history: [...prior.rollout.history, { at: now, phase: "aborted" as const, weight: 0, reason }].slice(
      -MAX_HISTORY,
    ),
  };
}
