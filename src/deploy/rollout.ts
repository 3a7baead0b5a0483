/**
 * Rollout state machines: `simple`, `blue-green` and `canary` as one pure
 * function `(state, observation, now) → (state, effects)`. The server feeds
 * it analyses, clock ticks and operator commands, applies the weight it
 * returns to routing at once, and sends the effects as events. Nothing here
 * reads the clock or does I/O, so every transition is a table test.
 */
import type { CheckAnalysis, CheckResult } from "./checks.js";
import type { StrategyType } from "../config/environment.js";

/** Where a rollout is. */
export const ROLLOUT_PHASES = ["idle", "progressing", "completed", "aborted"] as const;
/** One rollout phase. */
export type RolloutPhase = (typeof ROLLOUT_PHASES)[number];

/** The part of an environment's strategy the machine needs. */
export interface RolloutPlan {
  readonly type: StrategyType;
  /** Canary percentages, increasing, ending at 100. */
  readonly steps: readonly number[];
  readonly intervalMs: number;
  readonly maxFailedChecks: number;
}

/** One line of the rollout's history. */
export interface RolloutHistoryEntry {
  readonly at: number;
  readonly phase: RolloutPhase;
  readonly weight: number;
  readonly reason: string;
}

/** The state of one rollout; plain data, safe to serialise. */
export interface RolloutState {
  readonly plan: RolloutPlan;
  readonly phase: RolloutPhase;
  /** Percent of traffic on the candidate, 0–100. */
  readonly candidateWeight: number;
  /** Index into `plan.steps` (canary), -1 before the first step or for other strategies. */
  readonly step: number;
  readonly startedAt: number;
  readonly stepStartedAt: number;
  /** Failed analyses since the rollout started. */
  readonly failedChecks: number;
  /** Whether an analysis passed in the current step (needed to advance). */
  readonly stepPassed: boolean;
  readonly lastAnalysis: CheckAnalysis | null;
  /** Most recent last; bounded. */
  readonly history: readonly RolloutHistoryEntry[];
}

/** What drives the machine. */
export type RolloutObservation =
  | { readonly type: "analysis"; readonly analysis: CheckAnalysis }
  | { readonly type: "tick" }
  | { readonly type: "promote"; readonly reason?: string }
  | { readonly type: "abort"; readonly reason: string };

/** What the server must do after a transition. */
export type RolloutEffect =
  | { readonly type: "rollout.completed"; readonly reason: string }
  | { readonly type: "rollout.aborted"; readonly reason: string; readonly failed: readonly CheckResult[] };

/** A transition's outcome. */
export interface RolloutTransition {
  readonly state: RolloutState;
  readonly effects: readonly RolloutEffect[];
}

/** History lines kept, so a long rollout cannot grow memory without bound. */
export const MAX_HISTORY = 50;

function record(
  state: RolloutState,
  changes: Partial<RolloutState>,
  now: number,
  reason: string,
): RolloutState {
  const next = { ...state, ...changes };
  const entry: RolloutHistoryEntry = { at: now, phase: next.phase, weight: next.candidateWeight, reason };
  return { ...next, history: [...state.history, entry].slice(-MAX_HISTORY) };
}

/**
 * The first state of a rollout. Without a candidate the stable model takes
 * everything (`idle`); `simple` completes at once; `blue-green` starts warm
 * at 0%; `canary` starts at its first step.
 */
export function startRollout(plan: RolloutPlan, hasCandidate: boolean, now: number): RolloutTransition {
  const base: RolloutState = {
    plan,
    phase: "idle",
    candidateWeight: 0,
    step: -1,
    startedAt: now,
    stepStartedAt: now,
    failedChecks: 0,
    stepPassed: false,
    lastAnalysis: null,
    history: [],
  };
  if (!hasCandidate) return { state: record(base, {}, now, "no candidate"), effects: [] };
  if (plan.type === "simple") {
    const state = record(base, { phase: "completed", candidateWeight: 100 }, now, "simple: switched at once");
    return { state, effects: [{ type: "rollout.completed", reason: "simple strategy switches at once" }] };
  }
  if (plan.type === "blue-green") {
    return {
      state: record(base, { phase: "progressing" }, now, "blue-green: candidate warm at 0%"),
      effects: [],
    };
  }
  const first = plan.steps[0] ?? 100;
  return {
    state: record(
      base,
      { phase: "progressing", step: 0, candidateWeight: first },
      now,
      `canary: step 1 at ${first}%`,
    ),
    effects: [],
  };
}

function complete(state: RolloutState, now: number, reason: string): RolloutTransition {
  return {
    state: record(state, { phase: "completed", candidateWeight: 100 }, now, reason),
    effects: [{ type: "rollout.completed", reason }],
  };
}

function abort(
  state: RolloutState,
  now: number,
  reason: string,
  failed: readonly CheckResult[],
): RolloutTransition {
  return {
    state: record(state, { phase: "aborted", candidateWeight: 0 }, now, reason),
    effects: [{ type: "rollout.aborted", reason, failed }],
  };
}

/** Moves to the next step, or completes after the last one held. */
function advance(state: RolloutState, now: number): RolloutTransition {
  const { plan } = state;
  if (plan.type !== "canary" || state.step >= plan.steps.length - 1) {
    return complete(state, now, `${plan.type}: checks passed for ${plan.intervalMs} ms`);
  }
  const step = state.step + 1;
  const weight = plan.steps[step]!;
  return {
    state: record(
      state,
      { step, candidateWeight: weight, stepStartedAt: now, stepPassed: false },
      now,
      `canary: step ${step + 1} at ${weight}%`,
    ),
    effects: [],
  };
}

/**
 * One transition. Only a `progressing` rollout moves on analyses and ticks;
 * `abort` and `promote` act on any rollout that has a candidate. A step
 * advances once its interval has elapsed and an analysis passed during it;
 * the `maxFailedChecks`-th failed analysis aborts with weight 0 at once.
 */
export function stepRollout(
  state: RolloutState,
  observation: RolloutObservation,
  now: number,
): RolloutTransition {
  if (observation.type === "abort") {
    if (state.phase === "idle" || state.phase === "aborted") return { state, effects: [] };
    return abort(state, now, observation.reason, []);
  }
  if (observation.type === "promote") {
    if (state.phase === "idle" || state.phase === "completed") return { state, effects: [] };
    return complete(state, now, observation.reason ?? "promoted");
  }
  if (state.phase !== "progressing") return { state, effects: [] };
  const elapsed = now - state.stepStartedAt >= state.plan.intervalMs;
  if (observation.type === "tick") {
    return elapsed && state.stepPassed ? advance(state, now) : { state, effects: [] };
  }
  const { analysis } = observation;
  if (analysis.status === "insufficient") return { state, effects: [] };
  if (analysis.status === "fail") {
    const failedChecks = state.failedChecks + 1;
    const failed = analysis.results.filter((r) => !r.passed);
    const names = failed.map((r) => r.check).join(", ");
    const next = { ...state, failedChecks, lastAnalysis: analysis };
    if (failedChecks >= state.plan.maxFailedChecks) {
      return abort(next, now, `${failedChecks} failed analyses (${names})`, failed);
    }
    return { state: record(next, {}, now, `analysis failed (${names})`), effects: [] };
  }
  const passed = { ...state, stepPassed: true, lastAnalysis: analysis };
  return elapsed ? advance(passed, now) : { state: passed, effects: [] };
}
