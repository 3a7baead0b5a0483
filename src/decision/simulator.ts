/**
 * A simulated stream of incidents with known rewards, to measure a policy
 * before it meets production: regret against the best allowed action, the
 * safety of learning against the guardrails' baseline, and the accuracy of
 * offline estimates against the true value.
 *
 * Each scenario is a hidden cause (a bad deploy, an upstream outage, noise…)
 * that shows up as an incident; for each action it has a probability that
 * the incident resolves within T and a probability that a person reverts the
 * action. The expected reward is therefore known exactly.
 */
import type { Random } from "../common/random.js";
import { actionIndex, type Action } from "./actions.js";
import { decide, buildDecisionRecord } from "./decide.js";
import type { OutcomeRecord } from "./decision-log.js";
import type { EvidenceItem, Incident, IncidentKind, Severity } from "./incident.js";
import type { ResolvedPolicy } from "./policy-spec.js";
import { applyLogRecord, createPolicyState, settleRewards, type PolicyState } from "./policy-state.js";
import type { LogRecord } from "./decision-log.js";
import type { RewardModels } from "./bandit.js";

/** Hidden causes the simulator draws incidents from. */
export const SCENARIOS = [
  "bad_deploy",
  "bad_canary",
  "upstream_outage",
  "drift_warning",
  "drift_critical",
  "noise_measured",
  "noise_unmeasured",
  "anomaly_real",
  "flapping",
] as const;

/** One hidden cause. */
export type Scenario = (typeof SCENARIOS)[number];

/** Probability of resolving within T, and of a person reverting, per action. */
type Effects = Readonly<Record<Action, readonly [resolve: number, revert: number]>>;

/** Builds one scenario's row, in the order of the table's columns below. */
function effects(
  ignore: readonly [number, number],
  notify: readonly [number, number],
  abortCanary: readonly [number, number],
  rollback: readonly [number, number],
  retrain: readonly [number, number],
): Effects {
  return { ignore, notify, abort_canary: abortCanary, rollback, retrain };
}

// Noise resolves on its own whatever is done; acting on it only annoys people.
const NOISE = effects([0.9, 0], [0.9, 0.1], [0.9, 0.8], [0.9, 0.8], [0.9, 0.6]);

// Columns: ignore, notify, abort_canary, rollback, retrain — each [resolve, revert].
const EFFECTS: Readonly<Record<Scenario, Effects>> = {
  bad_deploy: effects([0.05, 0], [0.35, 0], [0.9, 0.02], [0.95, 0.02], [0.1, 0.3]),
  bad_canary: effects([0.05, 0], [0.4, 0], [0.95, 0.02], [0.9, 0.05], [0.1, 0.3]),
  upstream_outage: effects([0.4, 0], [0.6, 0], [0.4, 0.2], [0.4, 0.2], [0.3, 0.4]),
  drift_warning: effects([0.15, 0], [0.3, 0], [0.15, 0.5], [0.15, 0.5], [0.75, 0.02]),
  drift_critical: effects([0.05, 0], [0.35, 0], [0.1, 0.5], [0.1, 0.5], [0.8, 0.05]),
  noise_measured: NOISE,
  noise_unmeasured: NOISE,
  anomaly_real: effects([0.1, 0], [0.6, 0], [0.3, 0.3], [0.3, 0.3], [0.3, 0.3]),
  flapping: effects([0.5, 0], [0.5, 0.05], [0.5, 0.5], [0.5, 0.5], [0.5, 0.5]),
};

const WEIGHTS: Readonly<Record<Scenario, number>> = {
  bad_deploy: 0.14,
  bad_canary: 0.1,
  upstream_outage: 0.08,
  drift_warning: 0.14,
  drift_critical: 0.04,
  noise_measured: 0.2,
  noise_unmeasured: 0.14,
  anomaly_real: 0.06,
  flapping: 0.1,
};

/** The exact expected reward of an action in a scenario under a policy's reward settings. */
export function expectedReward(scenario: Scenario, action: Action, reward: ResolvedPolicy["reward"]): number {
  const [resolve, revert] = EFFECTS[scenario][action];
  const cost = reward.actionCosts[actionIndex(action)] ?? 0;
  return (1 - revert) * resolve - cost - revert * reward.humanRevertPenalty;
}

const DIGEST_STABLE = `sha256:${"a".repeat(64)}`;
const DIGEST_CANDIDATE = `sha256:${"b".repeat(64)}`;

/** A simulated incident with its hidden cause. */
export interface SimulatedIncident {
  readonly incident: Incident;
  readonly scenario: Scenario;
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[random.int(items.length)]!;
}

function drawScenario(random: Random): Scenario {
  let u = random.next();
  for (const s of SCENARIOS) {
    u -= WEIGHTS[s];
    if (u < 0) return s;
  }
  return "noise_measured";
}

/** Draws one incident at time `now` in one of `environments`. */
export function drawIncident(
  random: Random,
  now: Date,
  environments: readonly string[],
  serial: number,
): SimulatedIncident {
  const scenario = drawScenario(random);
  const environment = pick(random, environments);
  let kind: IncidentKind = "error_rate";
  let severity: Severity = "warning";
  let secondsSinceDeploy: number | null = 86_400 * (2 + random.int(20));
  let canary = false;
  let flap = random.int(2);
  let measured: "breach" | "ok" | "none" = "breach";
  switch (scenario) {
    case "bad_deploy":
      kind = pick(random, ["error_rate", "accuracy", "latency", "anomaly"] as const);
      severity = "critical";
      secondsSinceDeploy = 300 + random.int(3300);
      break;
    case "bad_canary":
      kind = pick(random, ["error_rate", "latency"] as const);
      severity = random.next() < 0.5 ? "critical" : "warning";
      secondsSinceDeploy = 300 + random.int(1800);
      canary = true;
      break;
    case "upstream_outage":
      kind = "error_rate";
      severity = "critical";
      if (random.next() < 0.2) secondsSinceDeploy = 300 + random.int(3300);
      break;
    case "drift_warning":
      kind = "drift";
      break;
    case "drift_critical":
      kind = "drift";
      severity = "critical";
      break;
    case "noise_measured":
      kind = pick(random, ["error_rate", "latency", "anomaly", "accuracy"] as const);
      severity = random.next() < 0.7 ? "warning" : "info";
      measured = "ok";
      break;
    case "noise_unmeasured":
      kind = pick(random, ["latency", "anomaly"] as const);
      measured = "none";
      break;
    case "anomaly_real":
      kind = "anomaly";
      measured = "none";
      flap = 0;
      break;
    case "flapping":
      kind = pick(random, ["error_rate", "latency"] as const);
      flap = 5 + random.int(6);
      break;
  }
  const evidence: EvidenceItem[] = [{ id: "e1", kind: "annotation", text: `${kind} alert (${scenario})` }];
  if (measured !== "none") {
    const threshold = 0.05;
    const value =
      measured === "breach" ? threshold * (1.5 + random.next() * 3) : threshold * random.next() * 0.9;
    evidence.push({ id: "m1", kind: "metric", text: `${kind} observed`, metric: kind, value, threshold });
  }
  const incident: Incident = {
    environment,
    model: "churn",
    kind,
    severity,
    fingerprint: `${environment}-${scenario}-${serial}`,
    started_at: now.toISOString(),
    evidence,
    seconds_since_deploy: secondsSinceDeploy,
    canary_state: canary ? "progressing" : "none",
    stable_available: true,
    flap_count: flap,
    digests: {
      serving: canary || secondsSinceDeploy < 3600 ? DIGEST_CANDIDATE : DIGEST_STABLE,
      stable: DIGEST_STABLE,
      candidate: canary || secondsSinceDeploy < 3600 ? DIGEST_CANDIDATE : null,
    },
  };
  return { incident, scenario };
}

/** Options of {@link simulateEngine}. */
export interface SimulationOptions {
  readonly policy: ResolvedPolicy;
  readonly steps: number;
  /** Drives incidents and outcomes. */
  readonly world: Random;
  /** Drives the policy's exploration. */
  readonly agent: Random;
  readonly start?: Date;
  /** Time between incidents (default 20 minutes). */
  readonly spacingMs?: number;
  readonly environments?: readonly string[];
  /**
   * Frozen reward models: when given, the policy decides with them and does
   * not learn, so the log comes from one stationary logging policy.
   */
  readonly models?: RewardModels;
}

/** One simulated step, with the exact expected rewards. */
export interface SimulationStep {
  readonly decisionId: string;
  readonly scenario: Scenario;
  readonly action: Action;
  readonly baseline: Action;
  readonly mask: readonly Action[];
  /** Expected reward of the chosen action, of the baseline, and of the best allowed action. */
  readonly chosenValue: number;
  readonly baselineValue: number;
  readonly bestValue: number;
}

/** What a simulation produced: the log the engine wrote and the truth behind it. */
export interface SimulationResult {
  readonly log: LogRecord[];
  readonly steps: SimulationStep[];
  readonly state: PolicyState;
  readonly end: Date;
}

/**
 * Runs the engine on simulated incidents, folding the log as it goes exactly
 * as the bot would (decide, append, learn from outcomes when they arrive).
 */
export function simulateEngine(options: SimulationOptions): SimulationResult {
  const { policy, world, agent } = options;
  const spacing = options.spacingMs ?? 20 * 60_000;
  const environments = options.environments ?? ["env-a", "env-b", "env-c", "env-d", "env-e", "env-f"];
  let now = (options.start ?? new Date("2026-01-01T00:00:00Z")).getTime();
  const state = createPolicyState(policy);
  const log: LogRecord[] = [];
  const steps: SimulationStep[] = [];
  let queue: OutcomeRecord[] = [];
  for (let t = 0; t < options.steps; t++) {
    now += spacing;
    const due = queue
      .filter((o) => Date.parse(o.at) <= now)
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    queue = queue.filter((o) => Date.parse(o.at) > now);
    for (const o of due) {
      applyLogRecord(state, o);
      log.push(o);
    }
    settleRewards(state, now);
    const at = new Date(now);
    const { incident, scenario } = drawIncident(world, at, environments, t);
    const decision = decide(incident, {
      policy,
      state,
      now: at,
      random: agent,
      quarantinedDigests: [],
      ...(options.models === undefined ? {} : { models: options.models }),
    });
    const record = buildDecisionRecord(incident, decision, { now: at, id: `d${t}` });
    applyLogRecord(state, record);
    log.push(record);
    const [resolve, revert] = EFFECTS[scenario][decision.action];
    const uRevert = world.next();
    const uResolve = world.next();
    const delay = (5 + world.int(40)) * 60_000;
    if (uRevert < revert) {
      queue.push(outcome(record.fingerprint, record.id, now + delay, "human_revert"));
    } else if (uResolve < resolve) {
      queue.push(outcome(record.fingerprint, record.id, now + delay, "resolved"));
    }
    const values = decision.mask.map((a) => expectedReward(scenario, a, policy.reward));
    steps.push({
      decisionId: record.id,
      scenario,
      action: decision.action,
      baseline: decision.baseline_action,
      mask: decision.mask,
      chosenValue: expectedReward(scenario, decision.action, policy.reward),
      baselineValue: expectedReward(scenario, decision.baseline_action, policy.reward),
      bestValue: Math.max(...values),
    });
  }
  return { log, steps, state, end: new Date(now) };
}

function outcome(
  fingerprint: string,
  decisionId: string,
  at: number,
  event: OutcomeRecord["event"],
): OutcomeRecord {
  return {
    v: 1,
    type: "outcome",
    at: new Date(at).toISOString(),
    fingerprint,
    decision_id: decisionId,
    event,
    ...(event === "human_revert" ? { detail: "rollback_pr_closed_unmerged" as const } : {}),
  };
}
