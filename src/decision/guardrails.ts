/**
 * L1, the guardrails: a complete, deterministic policy. They say which
 * actions are allowed at all (the mask) and which one a careful operator
 * would take (the baseline). Everything the learned policy or the LLM does
 * happens inside this mask.
 */
import { ACTIONS, isAutomatedAction, type Action, type ReasonCode } from "./actions.js";
import { hasNoFaultEvidence, isBreach, isCandidateAtFault, type Incident } from "./incident.js";
import { isCanaryActive, isRecentDeploy } from "./context.js";
import { findFreezeWindow, type FreezeWindow, type ResolvedPolicy } from "./policy-spec.js";

/** An automated action already taken, as the decision log remembers it. */
export interface AutomatedActionRecord {
  readonly environment: string;
  readonly model: string;
  readonly action: Action;
  /** Epoch milliseconds. */
  readonly at: number;
}

/** What the guardrails need besides the incident. */
export interface GuardrailContext {
  readonly policy: ResolvedPolicy;
  readonly now: Date;
  /** Automated actions of the recent past (the fold keeps the last day). */
  readonly recentAutomated: readonly AutomatedActionRecord[];
  /** Digests rolled back once and never to be served again. */
  readonly quarantinedDigests: ReadonlySet<string>;
  /**
   * The environment's `rollback.automatic` (default true). When false the
   * bot may not roll back or abort on its own, so those actions are masked:
   * the decision logged is then the notify a person gets, and no cooldown
   * starts for an action that never ran.
   */
  readonly automaticRollback?: boolean;
}

/** Why an action is not allowed. */
export interface MaskedAction {
  readonly action: Action;
  readonly reason_code: ReasonCode;
}

/** The guardrails' verdict. */
export interface GuardrailResult {
  /** Allowed actions, in {@link ACTIONS} order. */
  readonly allowed: readonly Action[];
  /** Actions not allowed, each with its reason. */
  readonly masked: readonly MaskedAction[];
  readonly baseline: Action;
  readonly reason_code: ReasonCode;
  /** Ids of the evidence items the baseline relied on. */
  readonly evidence: readonly string[];
}

const HOUR = 3_600_000;

/** Computes the mask and baseline action for an incident. */
export function computeGuardrails(incident: Incident, context: GuardrailContext): GuardrailResult {
  const { policy } = context;
  const masked = new Map<Action, ReasonCode>();
  const mask = (action: Action, reason: ReasonCode): void => {
    if (!masked.has(action)) masked.set(action, reason);
  };

  // Automated actions are blocked as a group by time-based limits.
  const automatedBlock = automatedBlockReason(incident, context);
  if (automatedBlock !== undefined) {
    for (const a of ACTIONS) if (isAutomatedAction(a)) mask(a, automatedBlock);
  }
  if (incident.flap_count >= policy.flapThreshold) {
    for (const a of ACTIONS) if (isAutomatedAction(a)) mask(a, "flapping");
  }
  if (context.automaticRollback === false) {
    for (const a of ACTIONS) if (isAutomatedAction(a)) mask(a, "automatic_rollback_off");
  }

  // Rolling back needs somewhere to go, and never to a quarantined digest.
  const stable = incident.digests.stable;
  if (!incident.stable_available || stable === null) mask("rollback", "no_stable_available");
  else if (context.quarantinedDigests.has(stable)) mask("rollback", "stable_quarantined");
  else if (incident.digests.serving === stable && incident.digests.candidate === null) {
    // The stable model is already all that serves: a rollback would change nothing.
    mask("rollback", "no_stable_available");
  }
  if (!isCanaryActive(incident)) mask("abort_canary", "canary_failing");
  else if (!isCandidateAtFault(incident)) {
    // The alert blames the stable: aborting the canary would take out a model that did nothing wrong.
    mask("abort_canary", "critical_needs_human");
  }

  // A critical incident is never ignored.
  if (incident.severity === "critical") mask("ignore", "critical_needs_human");

  const allowed = ACTIONS.filter((a) => !masked.has(a));
  const [preferred, reason] = chooseBaseline(incident, policy);
  const baseline = firstAllowed(preferred, allowed);
  const evidence = incident.evidence.filter(isBreach).map((e) => e.id);
  return {
    allowed,
    masked: [...masked].map(([action, reason_code]) => ({ action, reason_code })),
    baseline,
    reason_code: baseline === preferred[0] ? reason : (masked.get(preferred[0]!) ?? reason),
    evidence: evidence.length > 0 ? evidence : incident.evidence.slice(0, 5).map((e) => e.id),
  };
}

/** The time-based guardrails that hold back automated actions. */
export const HOLDING_GUARDRAILS = ["freeze_window", "rate_limited", "cooldown"] as const;

/** A guardrail holding automated actions back, and when it lets go. */
export interface GuardrailHold {
  readonly guardrail: (typeof HOLDING_GUARDRAILS)[number];
  /**
   * When automated actions are allowed again, as far as this guardrail
   * knows (another may take over then); null when it cannot say.
   */
  readonly liftsAt: Date | null;
}

/**
 * Which time-based guardrail blocks automated actions on this incident now,
 * and when it lifts: the end of the freeze window, the hour after the
 * oldest action counted by the rate limit, or the cooldown after the latest
 * action on the model. Undefined when none holds.
 */
export function computeGuardrailHold(
  incident: Incident,
  context: GuardrailContext,
): GuardrailHold | undefined {
  const reason = automatedBlockReason(incident, context);
  if (reason === undefined) return undefined;
  const { policy, now } = context;
  const t = now.getTime();
  if (reason === "freeze_window") {
    const window = findFreezeWindow(policy.freezeWindows, now);
    return { guardrail: reason, liftsAt: window === undefined ? null : freezeWindowEnd(window, now) };
  }
  const inEnvironment = context.recentAutomated.filter(
    (r) => r.environment === incident.environment && r.at <= t,
  );
  if (reason === "rate_limited") {
    const inHour = inEnvironment.filter((r) => r.at > t - HOUR).map((r) => r.at);
    inHour.sort((a, b) => b - a);
    // The limit lets go when the rateLimitPerHour-th newest action leaves the hour.
    const pivot = inHour[policy.rateLimitPerHour - 1];
    return { guardrail: reason, liftsAt: pivot === undefined ? null : new Date(pivot + HOUR) };
  }
  const latest = Math.max(...inEnvironment.filter((r) => r.model === incident.model).map((r) => r.at));
  return {
    guardrail: "cooldown",
    liftsAt: Number.isFinite(latest) ? new Date(latest + policy.cooldownMs) : null,
  };
}

const MINUTE = 60_000;

/** End of the freeze window `now` falls in. */
function freezeWindowEnd(window: FreezeWindow, now: Date): Date {
  if ("from" in window) return new Date(window.to);
  const [h, m] = window.to_time.split(":");
  const endMinute = Number(h) * 60 + Number(m);
  const minuteOfDay = now.getUTCHours() * 60 + now.getUTCMinutes();
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  // Past the end time today means the window runs overnight into tomorrow.
  const day = minuteOfDay < endMinute ? midnight : midnight + 24 * 60 * MINUTE;
  return new Date(day + endMinute * MINUTE);
}

function automatedBlockReason(incident: Incident, context: GuardrailContext): ReasonCode | undefined {
  const { policy, now } = context;
  if (findFreezeWindow(policy.freezeWindows, now) !== undefined) return "freeze_window";
  const t = now.getTime();
  const inEnvironment = context.recentAutomated.filter(
    (r) => r.environment === incident.environment && r.at <= t,
  );
  if (inEnvironment.filter((r) => r.at > t - HOUR).length >= policy.rateLimitPerHour) return "rate_limited";
  if (inEnvironment.some((r) => r.model === incident.model && r.at > t - policy.cooldownMs))
    return "cooldown";
  return undefined;
}

/**
 * The operator's rule book, as an ordered preference list: the first allowed
 * entry is the baseline. `notify` ends every list so a person always hears
 * about what the engine may not do.
 */
function chooseBaseline(incident: Incident, policy: ResolvedPolicy): [Action[], ReasonCode] {
  const recent = isRecentDeploy(incident, policy.recentDeployMs);
  const canary = isCanaryActive(incident) && isCandidateAtFault(incident);
  const modelFault =
    incident.kind === "error_rate" ||
    incident.kind === "latency" ||
    incident.kind === "accuracy" ||
    incident.kind === "anomaly";

  if (incident.flap_count >= policy.flapThreshold) return [["notify"], "flapping"];
  if (incident.kind === "rollout_aborted") return [["rollback", "notify"], "rollout_aborted_reconcile"];
  if (incident.kind === "load_failed") return [["rollback", "notify"], "load_failed"];
  if (hasNoFaultEvidence(incident)) {
    return incident.severity === "critical"
      ? [["notify"], "no_fault_evidence"]
      : [["ignore"], "no_fault_evidence"];
  }
  if (incident.severity === "info") return [["ignore", "notify"], "informational"];
  if (modelFault && canary && incident.severity === "critical") {
    return [["abort_canary", "rollback", "notify"], "canary_failing"];
  }
  if (modelFault && canary) return [["abort_canary", "notify"], "canary_failing"];
  // "Stable available" is enforced by the mask, so a missing stable reports why it could not roll back.
  if (modelFault && incident.severity === "critical" && recent) {
    return [["rollback", "notify"], "critical_after_deploy"];
  }
  if (incident.kind === "drift" && incident.severity === "critical") {
    return [["retrain", "notify"], "drift_needs_retrain"];
  }
  if (incident.severity === "critical") return [["notify"], "critical_needs_human"];
  return [["notify"], "warning_notify"];
}

function firstAllowed(preferred: readonly Action[], allowed: readonly Action[]): Action {
  for (const a of preferred) if (allowed.includes(a)) return a;
  // notify is never masked, so this only guards against a future rule that masks it.
  return allowed.includes("notify") ? "notify" : (allowed[0] ?? "notify");
}
