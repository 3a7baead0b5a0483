/**
 * The policy's state as a fold over the decision log. Nothing else is kept
 * anywhere: a bot replica reads the log, folds it, decides, and appends.
 *
 * {@link foldDecisionLog} is the pure entry point. The step functions it is
 * made of ({@link applyLogRecord}, {@link settleRewards}) update a state in
 * place so that a long-running simulation can fold incrementally; folding
 * the same records in any chunking gives the same state.
 */
import { createHash } from "node:crypto";
import { ACTIONS, actionIndex, isAutomatedAction } from "./actions.js";
import { CONTEXT_DIM } from "./context.js";
import type { DecisionRecord, LogRecord, OutcomeRecord } from "./decision-log.js";
import type { AutomatedActionRecord } from "./guardrails.js";
import type { ResolvedPolicy } from "./policy-spec.js";
import { computeReward } from "./reward.js";
import { createRidgeStats, updateRidgeStats, type RidgeStats } from "./ridge.js";

/** Algorithm generation; bump when the policy's maths changes. */
export const POLICY_ALGORITHM = "guardrails1-linucb1";

/** One decision with what is known about its outcome. */
export interface JoinedDecision {
  readonly record: DecisionRecord;
  /** Epoch milliseconds of the decision. */
  readonly at: number;
  resolvedAt: number | undefined;
  refiredAt: number | undefined;
  revertedAt: number | undefined;
  /** Reward as of the last settlement; undefined while pending. */
  reward: number | undefined;
}

/** The folded state. */
export interface PolicyState {
  readonly policy: ResolvedPolicy;
  /** Every decision, in log order. */
  readonly decisions: JoinedDecision[];
  /** Per-action reward models, indexed like {@link ACTIONS}. */
  readonly models: RidgeStats[];
  readonly byId: Map<string, JoinedDecision>;
  readonly latestByFingerprint: Map<string, JoinedDecision>;
  readonly pending: Set<JoinedDecision>;
  /**
   * Σ over settled decisions of r − (1 − margin) × b, where b is the
   * baseline's reward: r itself when the baseline was played, otherwise the
   * baseline estimate logged with the decision. The safety budget's settled part.
   */
  settledBudget: number;
  /** Latest time seen in the log, epoch ms. */
  clock: number;
  /** Outcomes that matched no decision (kept for diagnostics). */
  unmatchedOutcomes: number;
  /** The first {@link UNMATCHED_KEPT} of those outcomes, in log order, to report. */
  readonly unmatched: OutcomeRecord[];
}

/** Unmatched outcomes kept for reports; the count goes on past it. */
export const UNMATCHED_KEPT = 100;

/** Creates the state of an empty log. */
export function createPolicyState(policy: ResolvedPolicy): PolicyState {
  return {
    policy,
    decisions: [],
    models: ACTIONS.map(() => createRidgeStats(CONTEXT_DIM, policy.bandit.ridge)),
    byId: new Map(),
    latestByFingerprint: new Map(),
    pending: new Set(),
    settledBudget: 0,
    clock: Number.NEGATIVE_INFINITY,
    unmatchedOutcomes: 0,
    unmatched: [],
  };
}

/** Applies one record to the state, in place. */
export function applyLogRecord(state: PolicyState, record: LogRecord): void {
  const at = Date.parse(record.at);
  state.clock = Math.max(state.clock, at);
  if (record.type === "decision") {
    // A re-sent append (an answer lost after the commit landed) must not count twice.
    if (state.byId.has(record.id)) return;
    const previous = state.latestByFingerprint.get(record.fingerprint);
    if (previous !== undefined && previous.refiredAt === undefined && at > previous.at) {
      previous.refiredAt = at;
      resettle(state, previous, state.clock);
    }
    const joined: JoinedDecision = {
      record,
      at,
      resolvedAt: undefined,
      refiredAt: undefined,
      revertedAt: undefined,
      reward: undefined,
    };
    state.decisions.push(joined);
    state.byId.set(record.id, joined);
    state.latestByFingerprint.set(record.fingerprint, joined);
    state.pending.add(joined);
    return;
  }
  const target =
    record.decision_id !== undefined
      ? state.byId.get(record.decision_id)
      : state.latestByFingerprint.get(record.fingerprint);
  if (target === undefined || target.record.fingerprint !== record.fingerprint || at < target.at) {
    state.unmatchedOutcomes++;
    if (state.unmatched.length < UNMATCHED_KEPT) state.unmatched.push(record);
    return;
  }
  if (record.event === "resolved") target.resolvedAt ??= at;
  else if (record.event === "refired") target.refiredAt ??= at;
  else target.revertedAt ??= at;
  resettle(state, target, state.clock);
}

/** Settles every pending reward whose T has elapsed by `now`, in place. */
export function settleRewards(state: PolicyState, now: number): void {
  for (const joined of [...state.pending]) resettle(state, joined, now);
}

function resettle(state: PolicyState, joined: JoinedDecision, now: number): void {
  const reward = computeReward({ ...joined, action: joined.record.action }, state.policy.reward, now);
  if (reward === joined.reward) return;
  const model = state.models[actionIndex(joined.record.action)]!;
  if (joined.reward !== undefined) updateRidgeStats(model, joined.record.context, joined.reward, -1);
  if (reward !== undefined) {
    updateRidgeStats(model, joined.record.context, reward, 1);
    state.pending.delete(joined);
  } else {
    state.pending.add(joined);
  }
  const margin = state.policy.bandit.safetyMargin;
  const budgetTerm = (r: number | undefined): number => {
    if (r === undefined) return 0;
    const { action, baseline_action: baseline, baseline_estimate: estimate } = joined.record;
    const base = action === baseline || estimate === null ? r : estimate;
    return r - (1 - margin) * base;
  };
  state.settledBudget += budgetTerm(reward) - budgetTerm(joined.reward);
  joined.reward = reward;
}

/** Options of {@link foldDecisionLog}. */
export interface FoldOptions {
  readonly policy: ResolvedPolicy;
  /** Rewards whose T has elapsed by then are settled. */
  readonly now: Date;
}

/** Folds a whole log into a fresh state. Pure: the records are not touched. */
export function foldDecisionLog(records: Iterable<LogRecord>, options: FoldOptions): PolicyState {
  const state = createPolicyState(options.policy);
  for (const record of records) applyLogRecord(state, record);
  settleRewards(state, options.now.getTime());
  return state;
}

/** Automated actions of the last day, for rate limits and cooldowns. */
export function recentAutomatedActions(state: PolicyState, now: Date): AutomatedActionRecord[] {
  const since = now.getTime() - 86_400_000;
  const out: AutomatedActionRecord[] = [];
  for (let i = state.decisions.length - 1; i >= 0; i--) {
    const d = state.decisions[i]!;
    if (d.at < since) break;
    if (isAutomatedAction(d.record.action)) {
      out.push({
        environment: d.record.environment,
        model: d.record.model,
        action: d.record.action,
        at: d.at,
      });
    }
  }
  return out;
}

/** Number of decisions whose reward is known. */
export function settledCount(state: PolicyState): number {
  return state.decisions.length - state.pending.size;
}

/**
 * Identifies the policy that makes the next decision: the algorithm, the
 * settings that shape it, and how many outcomes it has learned from.
 */
export function computePolicyVersion(state: PolicyState): string {
  const { bandit, reward } = state.policy;
  const settings = JSON.stringify({ bandit, reward });
  const hash = createHash("sha256").update(settings).digest("hex").slice(0, 8);
  const learned = bandit.enabled ? `-n${settledCount(state)}` : "";
  return `${POLICY_ALGORITHM}-${hash}${bandit.enabled ? "" : "-baseline"}${learned}`;
}
