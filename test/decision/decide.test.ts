import { describe, expect, it } from "vitest";
import { createRandom } from "../../src/common/random.js";
import type { Action } from "../../src/decision/actions.js";
import { fitRewardModels } from "../../src/decision/bandit.js";
import { buildContext } from "../../src/decision/context.js";
import { buildDecisionRecord, decide } from "../../src/decision/decide.js";
import { DecisionRecord, type LogRecord } from "../../src/decision/decision-log.js";
import type { Incident } from "../../src/decision/incident.js";
import { resolvePolicy } from "../../src/decision/policy-spec.js";
import { foldDecisionLog } from "../../src/decision/policy-state.js";
import { makeIncident } from "./incidents.js";

const T0 = Date.parse("2026-03-02T00:00:00Z");
const MIN = 60_000;
const banditPolicy = resolvePolicy({ bandit: { enabled: true, exploration: 0.05 } });

/** A warning with no measurements: the baseline notifies. */
const warning = makeIncident({
  severity: "warning",
  kind: "anomaly",
  seconds_since_deploy: 9e5,
  evidence: [{ id: "a1", kind: "annotation", text: "anomaly score high" }],
});

/**
 * A log in which, on `incident`'s context, each listed action was taken
 * `n` times and resolved (or not) with the given rate.
 */
function learnedLog(incident: Incident, outcomes: Partial<Record<Action, number>>, n = 40): LogRecord[] {
  const context = Array.from(buildContext(incident, banditPolicy));
  const log: LogRecord[] = [];
  let t = 0;
  for (const [action, rate] of Object.entries(outcomes) as [Action, number][]) {
    for (let i = 0; i < n; i++) {
      const id = `${action}-${i}`;
      const at = new Date(T0 + t++ * 10 * MIN).toISOString();
      log.push(
        DecisionRecord.parse({
          v: 1,
          type: "decision",
          id,
          at,
          fingerprint: id,
          environment: "production",
          model: "churn",
          kind: incident.kind,
          severity: incident.severity,
          context,
          mask: ["ignore", "notify", "rollback", "retrain", "abort_canary"],
          baseline_action: "notify",
          baseline_estimate: null,
          action,
          propensity: 0.5,
          reason_code: "warning_notify",
          policy_version: "test",
          advice: null,
        }),
      );
      if (i < Math.round(rate * n)) {
        log.push({ v: 1, type: "outcome", at, fingerprint: id, event: "resolved" });
      }
    }
  }
  return log;
}

const later = new Date(T0 + 100 * 24 * 60 * MIN);

describe("decide", () => {
  it("is the guardrails' baseline with propensity 1 when the bandit is off", () => {
    const policy = resolvePolicy();
    const state = foldDecisionLog(learnedLog(warning, { ignore: 1, notify: 0 }), { policy, now: later });

    const decision = decide(warning, {
      policy,
      state,
      now: later,
      random: createRandom(1),
      quarantinedDigests: [],
    });

    expect(decision).toMatchObject({ action: "notify", baseline_action: "notify", propensity: 1 });
    expect(decision.policy_version).toMatch(/-baseline$/);
  });

  it("departs from the baseline when an action's lower bound beats the baseline's estimate", () => {
    const state = foldDecisionLog(learnedLog(warning, { ignore: 0.95, notify: 0.3 }), {
      policy: banditPolicy,
      now: later,
    });
    const chosen: Action[] = [];
    const explored = new Set<Action>();
    let greedyPropensity = 0;

    for (let seed = 0; seed < 200; seed++) {
      const d = decide(warning, {
        policy: banditPolicy,
        state,
        now: later,
        random: createRandom(seed),
        quarantinedDigests: [],
      });
      chosen.push(d.action);
      if (d.action === "ignore") {
        expect(d.reason_code).toBe("bandit_improvement");
        greedyPropensity = d.propensity;
      } else {
        expect(d.reason_code).toBe("bandit_exploration");
        expect(d.propensity).toBeCloseTo(0.05 / d.mask.length, 12);
        explored.add(d.action);
      }
    }
    const share = chosen.filter((a) => a === "ignore").length / chosen.length;
    expect(share).toBeGreaterThan(0.9);
    // The greedy action keeps what exploration does not take; explored actions each get ε/|mask|.
    expect(greedyPropensity).toBeGreaterThanOrEqual(0.95);
    expect(greedyPropensity + (explored.size * 0.05) / 5).toBeLessThanOrEqual(1 + 1e-12);
  });

  it("stays with the baseline when the evidence for another action is thin", () => {
    const state = foldDecisionLog(learnedLog(warning, { ignore: 0.7, notify: 0.6 }, 12), {
      policy: banditPolicy,
      now: later,
    });

    const d = decide(warning, {
      policy: { ...banditPolicy, bandit: { ...banditPolicy.bandit, exploration: 0 } },
      state,
      now: later,
      random: createRandom(3),
      quarantinedDigests: [],
    });

    expect(d.action).toBe("notify");
    expect(d.reason_code).toBe("warning_notify");
  });

  it("draws actions with the frequencies its logged propensities claim", () => {
    // Enough history that exploring ignore and retrain is affordable and plausible.
    const state = foldDecisionLog(learnedLog(warning, { notify: 0.9, ignore: 0.85, retrain: 0.95 }), {
      policy: banditPolicy,
      now: later,
    });
    const policy = { ...banditPolicy, bandit: { ...banditPolicy.bandit, exploration: 0.2 } };
    const models = fitRewardModels(state);
    const counts = new Map<Action, number>();
    const claimed = new Map<Action, number>();
    const random = createRandom(11);
    const n = 5000;

    for (let i = 0; i < n; i++) {
      const d = decide(warning, { policy, state, now: later, random, quarantinedDigests: [], models });
      counts.set(d.action, (counts.get(d.action) ?? 0) + 1);
      claimed.set(d.action, d.propensity);
    }

    expect(counts.size).toBeGreaterThanOrEqual(2);
    for (const [action, count] of counts) {
      const p = claimed.get(action)!;
      expect(Math.abs(count / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
    }
  });

  it("never chooses a masked action, whatever it has learned", () => {
    const incident = makeIncident({
      stable_available: false,
      digests: { serving: null, stable: null, candidate: null },
    });
    const state = foldDecisionLog(learnedLog(incident, { rollback: 1, notify: 0 }), {
      policy: banditPolicy,
      now: later,
    });

    for (let seed = 0; seed < 300; seed++) {
      const d = decide(incident, {
        policy: { ...banditPolicy, bandit: { ...banditPolicy.bandit, exploration: 0.2 } },
        state,
        now: later,
        random: createRandom(seed),
        quarantinedDigests: [],
        advice: "rollback",
      });
      expect(d.mask).not.toContain("rollback");
      expect(d.action).not.toBe("rollback");
    }
  });

  it.each<[string, Partial<Record<Action, number>>, Action, Action]>([
    [
      "breaks a statistical tie towards a less intrusive action",
      { ignore: 0.8, notify: 0.8 },
      "ignore",
      "ignore",
    ],
    ["never escalates on advice, even in a tie", { notify: 0.8, retrain: 0.8 }, "retrain", "notify"],
    ["does not override a clear winner", { ignore: 0.2, notify: 0.95 }, "ignore", "notify"],
  ])("advice %s", (_name, outcomes, advice, expected) => {
    const state = foldDecisionLog(learnedLog(warning, outcomes), { policy: banditPolicy, now: later });

    const d = decide(warning, {
      policy: { ...banditPolicy, bandit: { ...banditPolicy.bandit, exploration: 0 } },
      state,
      now: later,
      random: createRandom(5),
      quarantinedDigests: [],
      advice,
    });

    expect(d.action).toBe(expected);
    expect(d.advice).toBe(advice);
    if (expected === advice && advice !== d.baseline_action) expect(d.reason_code).toBe("advice_tie_break");
  });

  it("builds a decision record the log schema accepts", () => {
    const state = foldDecisionLog([], { policy: banditPolicy, now: later });
    const incident = makeIncident({ kind: "drift", seconds_since_deploy: 9e5 });
    const d = decide(incident, {
      policy: banditPolicy,
      state,
      now: later,
      random: createRandom(2),
      quarantinedDigests: [],
    });

    const record = buildDecisionRecord(incident, d, { now: later });

    expect(DecisionRecord.parse(record)).toEqual(record);
    expect(record.id).toMatch(/^[0-9a-f]{16}$/);
    expect(d.requires_human).toBe(d.action === "retrain");
  });
});
