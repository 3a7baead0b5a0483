/**
 * What the server serves right now: the environment, its stable and
 * candidate models, and the rollout between them. A new environment is
 * loaded beside the current one and swapped in with one assignment, so a
 * request sees either the old deployment or the new one, never a mix; a
 * model that fails to load leaves the current deployment serving. Rollout
 * transitions are applied synchronously in the request that completes an
 * analysis, so an abort takes effect for the very next request.
 */
import type { Logger } from "pino";
import type { EnvironmentSpec } from "../config/environment.js";
import { parseDurationMs } from "../config/duration.js";
import { analyseChecks } from "../deploy/checks.js";
import type { ServerEvent, ServerEventEvidence, ServerEventType } from "../deploy/events.js";
import { chooseRole, type ServingRole } from "../deploy/route.js";
import {
  startRollout,
  stepRollout,
  type RolloutEffect,
  type RolloutObservation,
  type RolloutPlan,
  type RolloutState,
} from "../deploy/rollout.js";
import type { Random } from "../common/random.js";
import { computeBonferroniThreshold } from "../common/statistics/multiple-testing.js";
import { ANOMALY_WATCH_START, stepAnomalyWatch, type AnomalyWatch } from "./anomaly-watch.js";
import type { ModelSlot } from "./model-slot.js";
import { decideResumedRollout } from "./rollout-resume.js";
import type { PersistedRollout, RolloutStore } from "./rollout-store.js";
import {
  buildCheckWindow,
  computeDriftPValues,
  createModelStats,
  recordOutcome,
  resetAnalysisWindow,
  type ModelStats,
} from "./model-stats.js";
import type { ExportedModel } from "./model-stats.js";

/** A loaded model with its counters. */
export interface ServedModel {
  readonly slot: ModelSlot;
  readonly stats: ModelStats;
  /** Whether the last drift check flagged this model (edge-triggers drift.detected). */
  driftFlagged: boolean;
  /** Error-rate anomaly watch, fed once per tick. */
  anomaly: AnomalyWatch;
  /** Requests and errors at the last tick, to take per-tick deltas. */
  tickRequests: number;
  tickErrors: number;
}

/** Requests a tick needs before its error rate is a point of the anomaly watch. */
export const ANOMALY_MIN_TICK_REQUESTS = 20;

/** One consistent view of what is served. */
export interface Deployment {
  readonly env: EnvironmentSpec;
  readonly stable: ServedModel | null;
  readonly candidate: ServedModel | null;
  rollout: RolloutState;
  readonly intervalMs: number;
  /** Whether its rollout is written to the state folder (not for a stand-in served while degraded). */
  readonly persist: boolean;
}

/** A routed request: who answers, and who answers if it fails. */
export interface Route {
  readonly served: ServedModel;
  readonly role: ServingRole;
  readonly fallback: ServedModel | null;
  readonly deployment: Deployment;
}

/** What the controller needs from the outside world. */
export interface RolloutControllerPorts {
  readonly loadModel: (ref: string) => Promise<ModelSlot>;
  readonly emit: (event: ServerEvent) => void;
  readonly now: () => number;
  readonly random: Random;
  readonly logger: Logger;
  /** owner/name of the repository of the environment file, when known. */
  readonly repository?: string;
  /** Where the rollout is kept across restarts; in memory only without it. */
  readonly rolloutStore?: RolloutStore;
}

/** Options of {@link RolloutController.apply}. */
export interface ApplyOptions {
  /** False for a stand-in deployment whose rollout must not replace the stored one (default true). */
  readonly persist?: boolean;
}

/** The live deployment and the operations on it. */
export interface RolloutController {
  readonly current: () => Deployment | null;
  /** Loads the models `env` names and swaps them in; throws (keeping the old deployment) when one fails. */
  apply(env: EnvironmentSpec, options?: ApplyOptions): Promise<void>;
  route(stickyKey: string | undefined): Route | null;
  /** Counts a finished request and runs the rollout analysis when its window is full. */
  finish(route: Route, served: ServedModel, role: ServingRole, latencyMs: number, failed: boolean): void;
  observe(observation: RolloutObservation): void;
  tick(): void;
  exported(): ExportedModel[];
  close(): void;
}

function planOf(env: EnvironmentSpec): RolloutPlan {
  return {
    type: env.strategy.type,
    steps: env.strategy.steps,
    // The schema has validated the duration already.
    intervalMs: parseDurationMs(env.strategy.interval) ?? 60_000,
    maxFailedChecks: env.strategy.max_failed_checks,
  };
}

/**
 * The controller's whole mutable state: the deployment served now (swapped
 * by one assignment) and every loaded model by digest, so a model named
 * again by the next environment is reused rather than loaded twice.
 */
interface ControllerState {
  readonly ports: RolloutControllerPorts;
  deployment: Deployment | null;
  readonly loaded: Map<string, ServedModel>;
  /** A write of the rollout file waiting to run (minor changes are written together). */
  pendingSave: NodeJS.Timeout | null;
}

/** How long a minor rollout change (an analysis that passed) may wait to be written. */
const DEFERRED_SAVE_MS = 1000;

function recordOf(d: Deployment): PersistedRollout {
  return {
    environment: d.env.name,
    stable: d.stable?.slot.digest ?? null,
    candidate: d.candidate?.slot.digest ?? null,
    rollout: d.rollout,
  };
}

/** Writes the deployment's rollout now; a failed write is logged, the server keeps serving. */
function saveRollout(state: ControllerState, d: Deployment): void {
  const store = state.ports.rolloutStore;
  if (store === undefined || !d.persist) return;
  if (state.pendingSave !== null) clearTimeout(state.pendingSave);
  state.pendingSave = null;
  try {
    store.save(recordOf(d));
  } catch (error) {
    state.ports.logger.error(
      { err: error, path: store.path },
      `${store.path}: the rollout state could not be written; a restart would not see this change`,
    );
  }
}

/**
 * Persists a rollout change: a change of phase, step, weight or failed
 * checks is written before the next request is routed; anything else (an
 * analysis that passed) is written within {@link DEFERRED_SAVE_MS}.
 */
function persistChange(state: ControllerState, d: Deployment, before: RolloutState): void {
  const after = d.rollout;
  if (after === before) return;
  const major =
    after.phase !== before.phase ||
    after.step !== before.step ||
    after.candidateWeight !== before.candidateWeight ||
    after.failedChecks !== before.failedChecks;
  if (major) {
    saveRollout(state, d);
    return;
  }
  state.pendingSave ??= setTimeout(() => {
    state.pendingSave = null;
    if (state.deployment !== null) saveRollout(state, state.deployment);
  }, DEFERRED_SAVE_MS).unref();
}

/** The digest of `name@sha256:…`, or undefined for a tag. */
function digestOf(ref: string): string | undefined {
  return ref.includes("@") ? ref.slice(ref.indexOf("@") + 1) : undefined;
}

/**
 * An event of `type` about deployment `d`. `atFault` is the digest the event
 * blames — the bot acts on that digest only — or null when no model is at
 * fault (a completed rollout, inputs that drifted).
 */
function buildEvent(
  ports: RolloutControllerPorts,
  type: ServerEventType,
  d: Deployment,
  occurrence: string,
  evidence: ServerEventEvidence[],
  atFault: string | null,
): ServerEvent {
  const at = ports.now();
  return {
    id: `${d.env.name}.${type}.${occurrence}`.replace(/[^A-Za-z0-9_.:-]/g, "-").slice(0, 200),
    type,
    ...(ports.repository === undefined ? {} : { repository: ports.repository }),
    environment: d.env.name,
    model: d.env.model,
    digests: {
      stable: d.stable?.slot.digest ?? null,
      candidate: d.candidate?.slot.digest ?? null,
      serving: (d.rollout.candidateWeight > 50 ? d.candidate : d.stable)?.slot.digest ?? null,
      at_fault: atFault,
    },
    evidence,
    timestamp: new Date(at).toISOString(),
  };
}

function effectEvidence(effect: RolloutEffect): ServerEventEvidence[] {
  return [
    { id: "reason", text: effect.reason.slice(0, 4000) },
    ...(effect.type === "rollout.aborted"
      ? effect.failed.map((r) => ({
          id:
            r.feature === undefined
              ? r.check
              : `${r.check}:${r.feature}`.replace(/[^A-Za-z0-9_.:-]/g, "_").slice(0, 64),
          text: `${r.check}${r.feature === undefined ? "" : ` (${r.feature})`} = ${r.value} against ${r.threshold}`,
          metric: r.feature ?? r.check,
          value: r.value,
          threshold: r.threshold,
          direction: r.direction,
        }))
      : []),
  ];
}

function applyEffects(ports: RolloutControllerPorts, d: Deployment, effects: readonly RolloutEffect[]): void {
  for (const effect of effects) {
    const occurrence = `${d.candidate?.slot.digest.slice(7, 19) ?? "none"}.${d.rollout.startedAt}`;
    ports.logger.info({ environment: d.env.name, reason: effect.reason }, effect.type);
    // An abort blames the candidate it took out of service; a completion blames nothing.
    const atFault = effect.type === "rollout.aborted" ? (d.candidate?.slot.digest ?? null) : null;
    ports.emit(buildEvent(ports, effect.type, d, occurrence, effectEvidence(effect), atFault));
  }
}

function transition(state: ControllerState, d: Deployment, observation: RolloutObservation): void {
  const { ports } = state;
  const before = d.rollout;
  const next = stepRollout(before, observation, ports.now());
  d.rollout = next.state;
  // On disk before the effects go out: an event never announces a state a restart would not see.
  persistChange(state, d, before);
  applyEffects(ports, d, next.effects);
}

function servedFor(state: ControllerState, slot: ModelSlot, env: EnvironmentSpec): ServedModel {
  const existing = state.loaded.get(slot.digest);
  if (existing !== undefined) return existing;
  const served: ServedModel = {
    slot,
    stats: createModelStats(
      slot.card.reference_profile,
      env.checks.drift?.window ?? 1000,
      Object.fromEntries(slot.card.features.map((f) => [f.name, f.categories] as const)),
    ),
    driftFlagged: false,
    anomaly: ANOMALY_WATCH_START,
    tickRequests: 0,
    tickErrors: 0,
  };
  state.loaded.set(slot.digest, served);
  return served;
}

async function load(
  state: ControllerState,
  ref: string | null | undefined,
  env: EnvironmentSpec,
): Promise<ServedModel | null> {
  if (ref === null || ref === undefined) return null;
  const digest = digestOf(ref);
  const cached = digest === undefined ? undefined : state.loaded.get(digest);
  if (cached !== undefined) return cached;
  const slot = await state.ports.loadModel(ref);
  const again = state.loaded.get(slot.digest);
  if (again !== undefined) {
    slot.retire();
    return again;
  }
  return servedFor(state, slot, env);
}

/** Loads the model `ref` names; emits `model.load_failed` before rethrowing a failure. */
async function loadOrReport(
  state: ControllerState,
  ref: string | null | undefined,
  env: EnvironmentSpec,
): Promise<ServedModel | null> {
  try {
    return await load(state, ref, env);
  } catch (error) {
    emitLoadFailure(state, env, ref ?? "", error);
    throw error;
  }
}

function emitLoadFailure(state: ControllerState, env: EnvironmentSpec, ref: string, error: unknown): void {
  const { ports, deployment } = state;
  const message = error instanceof Error ? error.message : String(error);
  const base: Deployment = deployment ?? {
    env,
    stable: null,
    candidate: null,
    rollout: startRollout(planOf(env), false, ports.now()).state,
    intervalMs: 0,
    persist: false,
  };
  const e = buildEvent(
    ports,
    "model.load_failed",
    { ...base, env },
    `${ref}.${ports.now()}`,
    [{ id: "load_error", text: message.slice(0, 4000) }],
    digestOf(ref) ?? null,
  );
  ports.emit({
    ...e,
    digests: {
      stable: env.stable === null || env.stable === undefined ? null : (digestOf(env.stable) ?? null),
      candidate:
        env.candidate === null || env.candidate === undefined ? null : (digestOf(env.candidate) ?? null),
      serving: deployment?.stable?.slot.digest ?? null,
      // The model that failed, whichever role the file gives it: a failing candidate must never get the stable blamed.
      at_fault: digestOf(ref) ?? null,
    },
  });
}

/**
 * The rollout `env` starts with: the one running (or stored before a
 * restart) when the models and plan are the same, a kept abort when the
 * aborted candidate is still named, else a new one (with its effects).
 */
function chooseRollout(
  state: ControllerState,
  env: EnvironmentSpec,
  stable: ServedModel | null,
  candidate: ServedModel | null,
  persist: boolean,
): { rollout: RolloutState; effects: readonly RolloutEffect[] } {
  const { ports } = state;
  const plan = planOf(env);
  const previous = state.deployment;
  const started = startRollout(plan, candidate !== null && stable !== null, ports.now());
  const { effects } = started;
  let rollout = started.state;
  if (candidate !== null && stable === null) rollout = { ...rollout, candidateWeight: 100 };
  const prior =
    previous !== null && previous.persist === persist
      ? recordOf(previous)
      : persist
        ? ports.rolloutStore?.load()
        : undefined;
  const target = {
    environment: env.name,
    stable: stable?.slot.digest ?? null,
    candidate: candidate?.slot.digest ?? null,
    plan,
  };
  const resumed = decideResumedRollout(prior, target, rollout, ports.now());
  if (resumed !== null) return { rollout: resumed, effects: [] };
  if (candidate !== null) resetAnalysisWindow(candidate.stats);
  return { rollout, effects };
}

/** Loads what `env` names beside the current deployment, then swaps it in with one assignment. */
async function applyEnvironment(
  state: ControllerState,
  env: EnvironmentSpec,
  options: ApplyOptions,
): Promise<void> {
  const { ports } = state;
  const persist = options.persist ?? true;
  const stable = await loadOrReport(state, env.stable, env);
  const candidate = await loadOrReport(state, env.candidate, env);
  const { rollout, effects } = chooseRollout(state, env, stable, candidate, persist);
  const next: Deployment = { env, stable, candidate, rollout, intervalMs: planOf(env).intervalMs, persist };
  // The swap: one assignment.
  state.deployment = next;
  saveRollout(state, next);
  applyEffects(ports, next, effects);
  const inUse = new Set([stable?.slot.digest, candidate?.slot.digest]);
  for (const [digest, served] of state.loaded) {
    if (!inUse.has(digest)) {
      state.loaded.delete(digest);
      served.slot.retire();
    }
  }
}

/** Who answers a request: the split by weight (or sticky key), and the other model as fallback. */
function routeRequest(d: Deployment | null, stickyKey: string | undefined, random: Random): Route | null {
  if (d === null) return null;
  if (d.stable === null && d.candidate === null) return null;
  if (d.stable === null) return { served: d.candidate!, role: "candidate", fallback: null, deployment: d };
  if (d.candidate === null) return { served: d.stable, role: "stable", fallback: null, deployment: d };
  const role = chooseRole(d.rollout.candidateWeight, stickyKey, random.next());
  return role === "candidate"
    ? { served: d.candidate, role, fallback: d.stable, deployment: d }
    : {
        served: d.stable,
        role,
        fallback: d.rollout.phase === "completed" ? d.candidate : null,
        deployment: d,
      };
}

/** Counts a finished request; judges the candidate's window when it is full. */
function finishRequest(
  state: ControllerState,
  route: Route,
  served: ServedModel,
  role: ServingRole,
  latencyMs: number,
  failed: boolean,
): void {
  const d = route.deployment;
  const stats = served.stats;
  recordOutcome(stats, latencyMs, failed);
  if (role !== "candidate" || d !== state.deployment || d.rollout.phase !== "progressing") {
    // Nothing judges this window; keep its counters small.
    if (stats.requests >= 1_000_000) resetAnalysisWindow(stats);
    return;
  }
  if (stats.requests < Math.max(1, d.env.checks.min_requests)) return;
  const analysis = analyseChecks(d.env.checks, buildCheckWindow(stats));
  resetAnalysisWindow(stats);
  transition(state, d, { type: "analysis", analysis });
}

/** Feeds each model's error rate since the last tick to its anomaly watch. */
function watchAnomalies(ports: RolloutControllerPorts, d: Deployment): void {
  for (const served of [d.stable, d.candidate]) {
    if (served === null) continue;
    const { stats } = served;
    // The analysis window resets its counters; a drop means a new window began.
    if (stats.requests < served.tickRequests) served.tickRequests = served.tickErrors = 0;
    const requests = stats.requests - served.tickRequests;
    if (requests < ANOMALY_MIN_TICK_REQUESTS) continue;
    const rate = (stats.errors - served.tickErrors) / requests;
    served.tickRequests = stats.requests;
    served.tickErrors = stats.errors;
    const { watch, alarm } = stepAnomalyWatch(served.anomaly, rate);
    served.anomaly = watch;
    if (alarm === null) continue;
    ports.emit(
      buildEvent(
        ports,
        "anomaly.detected",
        d,
        `${served.slot.digest.slice(7, 19)}.errors.${ports.now()}`,
        [
          {
            id: "error_rate",
            text: `error rate of ${served.slot.version} rose to ${rate.toFixed(4)} (usual ${alarm.baseline.mean.toFixed(4)} ± ${alarm.baseline.std.toFixed(4)}); EWMA at ${alarm.statistic.toFixed(2)}× its control limit`,
            metric: "error_rate",
            value: rate,
            threshold: alarm.baseline.mean,
            direction: "above",
          },
        ],
        served.slot.digest,
      ),
    );
  }
}

/** Runs the drift test on each model's window; `drift.detected` fires on the edge, not every tick. */
function watchDrift(ports: RolloutControllerPorts, d: Deployment): void {
  const drift = d.env.checks.drift;
  if (drift === undefined) return;
  for (const served of [d.stable, d.candidate]) {
    if (served === null) continue;
    const { rows, pValues } = computeDriftPValues(served.stats);
    if (rows < drift.min_samples) continue;
    const entries = Object.entries(pValues);
    const threshold = computeBonferroniThreshold(drift.alpha, entries.length);
    const drifted = entries.filter(([, p]) => p < threshold);
    if (drifted.length > 0 && !served.driftFlagged) {
      ports.emit(
        buildEvent(
          ports,
          "drift.detected",
          d,
          `${served.slot.digest.slice(7, 19)}.${ports.now()}`,
          drifted.slice(0, 50).map(([feature, p]) => ({
            id: `drift:${feature}`.replace(/[^A-Za-z0-9_.:-]/g, "_").slice(0, 64),
            text: `input ${feature} of ${served.slot.version}: chi-squared p = ${p.toExponential(3)} over the last ${rows} rows`,
            metric: feature,
            value: p,
            threshold,
            direction: "below" as const,
          })),
          // Drift is a change in the inputs, not a fault of the model: the bot explains it and rolls nothing back.
          null,
        ),
      );
    }
    served.driftFlagged = drifted.length > 0;
  }
}

function exportModels(d: Deployment | null): ExportedModel[] {
  if (d === null) return [];
  return [d.stable, d.candidate]
    .filter((s): s is ServedModel => s !== null)
    .map((s) => ({
      model: s.slot.name,
      version: s.slot.version,
      stats: s.stats,
      pValues: () => computeDriftPValues(s.stats).pValues,
    }));
}

/** Creates a controller with nothing loaded. */
export function createRolloutController(ports: RolloutControllerPorts): RolloutController {
  const state: ControllerState = { ports, deployment: null, loaded: new Map(), pendingSave: null };
  return {
    current: () => state.deployment,
    apply: (env, options = {}) => applyEnvironment(state, env, options),
    route: (stickyKey) => routeRequest(state.deployment, stickyKey, ports.random),
    finish: (route, served, role, latencyMs, failed) =>
      finishRequest(state, route, served, role, latencyMs, failed),
    observe(observation) {
      if (state.deployment !== null) transition(state, state.deployment, observation);
    },
    tick() {
      const d = state.deployment;
      if (d === null) return;
      transition(state, d, { type: "tick" });
      watchAnomalies(ports, d);
      watchDrift(ports, d);
    },
    exported: () => exportModels(state.deployment),
    close() {
      if (state.pendingSave !== null && state.deployment !== null) saveRollout(state, state.deployment);
      for (const served of state.loaded.values()) served.slot.retire();
      state.loaded.clear();
      state.deployment = null;
    },
  };
}
