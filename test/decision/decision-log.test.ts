import { describe, expect, it } from "vitest";
import { DataError } from "../../src/common/errors.js";
import { CONTEXT_DIM } from "../../src/decision/context.js";
import {
  formatLogLine,
  normalizeFingerprint,
  parseDecisionLog,
  parseDecisionLogLenient,
  type DecisionRecord,
  type LogRecord,
  type OutcomeRecord,
} from "../../src/decision/decision-log.js";
import { resolvePolicy } from "../../src/decision/policy-spec.js";
import {
  applyLogRecord,
  computePolicyVersion,
  createPolicyState,
  foldDecisionLog,
  recentAutomatedActions,
  settleRewards,
} from "../../src/decision/policy-state.js";

const policy = resolvePolicy({ bandit: { enabled: true } });
const T0 = Date.parse("2026-03-02T10:00:00Z");
const MIN = 60_000;
const iso = (minutes: number): string => new Date(T0 + minutes * MIN).toISOString();

function decision(id: string, minutes: number, overrides: Partial<DecisionRecord> = {}): DecisionRecord {
  const context = new Array<number>(CONTEXT_DIM).fill(0);
  context[0] = 1;
  return {
    v: 1,
    type: "decision",
    id,
    at: iso(minutes),
    fingerprint: "fp",
    environment: "production",
    model: "churn",
    kind: "error_rate",
    severity: "critical",
    context,
    mask: ["notify", "rollback"],
    baseline_action: "rollback",
    baseline_estimate: null,
    action: "rollback",
    propensity: 1,
    reason_code: "critical_after_deploy",
    policy_version: "v",
    advice: null,
    ...overrides,
  };
}

function outcome(
  minutes: number,
  event: OutcomeRecord["event"],
  extra: Partial<OutcomeRecord> = {},
): OutcomeRecord {
  return { v: 1, type: "outcome", at: iso(minutes), fingerprint: "fp", event, ...extra };
}

function rewardOf(records: LogRecord[], nowMinutes: number, id = "d1"): number | undefined {
  const state = foldDecisionLog(records, { policy, now: new Date(T0 + nowMinutes * MIN) });
  return state.byId.get(id)!.reward;
}

describe("parseDecisionLog", () => {
  it("round-trips the records it formats, skipping blank lines", () => {
    const records: LogRecord[] = [decision("d1", 0), outcome(5, "resolved", { decision_id: "d1" })];
    const text = records.map(formatLogLine).join("\n");

    expect(parseDecisionLog(text)).toEqual(records);
  });

  it.each([
    ["{not json", /log\.jsonl:2: not valid JSON/],
    ['{"type":"vote"}', /log\.jsonl:2: type: expected "decision" or "outcome"/],
    [JSON.stringify({ ...decision("d2", 1), propensity: 0 }), /log\.jsonl:2: propensity: /],
    [
      JSON.stringify({ ...decision("d2", 1), action: "retrain" }),
      /log\.jsonl:2: action: action is not in the mask/,
    ],
    [JSON.stringify({ ...decision("d2", 1), context: [1, 2] }), /log\.jsonl:2: context: /],
    [JSON.stringify({ ...outcome(1, "resolved"), event: "celebrated" }), /log\.jsonl:2: event: /],
    [JSON.stringify({ ...outcome(1, "resolved"), v: 2 }), /log\.jsonl:2: v: /],
  ])("names the file, line and field of a bad line: %s", (line, message) => {
    const text = `${formatLogLine(decision("d1", 0))}${line}\n`;

    expect(() => parseDecisionLog(text, "log.jsonl")).toThrow(DataError);
    expect(() => parseDecisionLog(text, "log.jsonl")).toThrow(message);
  });
});

describe("reward joined by fingerprint", () => {
  // rollback costs 0.2 and a revert costs 5 by default; T is 60 minutes.
  it.each<[string, LogRecord[], number, number | undefined]>([
    ["resolved within T, no re-fire", [decision("d1", 0), outcome(20, "resolved")], 61, 0.8],
    ["still pending before T", [decision("d1", 0), outcome(20, "resolved")], 30, undefined],
    ["not resolved within T", [decision("d1", 0)], 61, -0.2],
    ["resolved after T", [decision("d1", 0), outcome(70, "resolved")], 80, -0.2],
    [
      "re-fired within T (a new decision)",
      [decision("d1", 0), outcome(5, "resolved"), decision("d2", 30)],
      31,
      -0.2,
    ],
    [
      "re-fired within T (an outcome)",
      [decision("d1", 0), outcome(5, "resolved"), outcome(40, "refired")],
      41,
      -0.2,
    ],
    ["re-fired after T", [decision("d1", 0), outcome(5, "resolved"), decision("d2", 90)], 120, 0.8],
    [
      "rollback PR closed unmerged",
      [decision("d1", 0), outcome(5, "human_revert", { detail: "rollback_pr_closed_unmerged" })],
      6,
      -5.2,
    ],
    [
      "/undo after it resolved",
      [decision("d1", 0), outcome(5, "resolved"), outcome(200, "human_revert", { detail: "undo_command" })],
      201,
      -5.2,
    ],
    [
      "thumbs-down joined by decision id",
      [
        decision("d1", 0),
        decision("d2", 1, { fingerprint: "other" }),
        outcome(3, "human_revert", { decision_id: "d1", detail: "thumbs_down" }),
      ],
      4,
      -5.2,
    ],
  ])("%s", (_name, records, now, expected) => {
    const reward = rewardOf(records, now);

    if (expected === undefined) expect(reward).toBeUndefined();
    else expect(reward).toBeCloseTo(expected, 12);
  });

  it("counts an outcome for an unknown fingerprint as unmatched, not as a reward", () => {
    const state = foldDecisionLog([decision("d1", 0), outcome(5, "resolved", { fingerprint: "nope" })], {
      policy,
      now: new Date(T0 + 61 * MIN),
    });

    expect(state.unmatchedOutcomes).toBe(1);
    expect(state.byId.get("d1")!.reward).toBeCloseTo(-0.2, 12);
  });
});

describe("foldDecisionLog", () => {
  const records: LogRecord[] = [
    decision("d1", 0),
    outcome(10, "resolved"),
    decision("d2", 100, { fingerprint: "fp2", action: "notify", propensity: 0.5 }),
    outcome(150, "human_revert", { fingerprint: "fp2", detail: "thumbs_down" }),
    decision("d3", 200, { fingerprint: "fp3" }),
    outcome(400, "human_revert", { fingerprint: "fp3", detail: "undo_command" }),
  ];

  it.each([1, 2, 3, 5])("gives the same state when folded incrementally in chunks of %i", (chunk) => {
    const now = T0 + 500 * MIN;
    const whole = foldDecisionLog(records, { policy, now: new Date(now) });
    const incremental = createPolicyState(policy);

    for (let i = 0; i < records.length; i += chunk) {
      for (const r of records.slice(i, i + chunk)) applyLogRecord(incremental, r);
      settleRewards(incremental, Date.parse(records[Math.min(i + chunk, records.length) - 1]!.at));
    }
    settleRewards(incremental, now);

    expect(incremental.decisions.map((d) => d.reward)).toEqual(whole.decisions.map((d) => d.reward));
    incremental.models.forEach((m, a) => {
      Array.from(m.a).forEach((v, i) => expect(v).toBeCloseTo(whole.models[a]!.a[i]!, 12));
      expect(m.n).toBe(whole.models[a]!.n);
    });
  });

  it("does not modify the records it folds", () => {
    const copy = structuredClone(records);

    foldDecisionLog(records, { policy, now: new Date(T0 + 500 * MIN) });

    expect(records).toEqual(copy);
  });

  it("remembers automated actions of the last day for rate limits and cooldowns", () => {
    const state = foldDecisionLog(records, { policy, now: new Date(T0 + 500 * MIN) });

    const recent = recentAutomatedActions(state, new Date(T0 + 24 * 60 * MIN + 50 * MIN));

    expect(recent.map((r) => r.at)).toEqual([T0 + 200 * MIN]);
  });

  it("versions the policy by settings and by how much it has learned", () => {
    const now = new Date(T0 + 500 * MIN);
    const a = computePolicyVersion(foldDecisionLog(records, { policy, now }));
    const b = computePolicyVersion(foldDecisionLog(records.slice(0, 2), { policy, now }));
    const c = computePolicyVersion(
      foldDecisionLog(records, { policy: resolvePolicy({ bandit: { enabled: true, alpha: 3 } }), now }),
    );

    expect(a).toMatch(/-n3$/);
    expect(b).toMatch(/-n1$/);
    expect(a.replace(/-n\d+$/, "")).not.toBe(c.replace(/-n\d+$/, ""));
  });
});

describe("a re-sent append", () => {
  it("counts once: a decision line written twice is one decision with one reward", () => {
    // Arrange: the same decision twice (its commit landed, the answer was lost, it was sent again).
    const once = [decision("d1", 0), outcome(5, "resolved")];
    const twice = [decision("d1", 0), decision("d1", 0), outcome(5, "resolved")];

    // Act
    const a = foldDecisionLog(once, { policy, now: new Date(T0 + 120 * MIN) });
    const b = foldDecisionLog(twice, { policy, now: new Date(T0 + 120 * MIN) });

    // Assert
    expect(b.decisions).toHaveLength(1);
    expect(b.byId.get("d1")!.reward).toBeCloseTo(0.8, 12);
    expect(b.settledBudget).toBe(a.settledBudget);
    expect(b.models[3]!.n).toBe(1); // rollback is ACTIONS[3]
  });
});

describe("parseDecisionLogLenient", () => {
  it("keeps the good lines and returns each bad one with its file and line", () => {
    // Arrange
    const text = [
      formatLogLine(decision("d1", 0)),
      "{not json\n",
      formatLogLine({ ...outcome(1, "resolved"), fingerprint: "x".repeat(201) }),
      formatLogLine(outcome(2, "resolved")),
    ].join("");

    // Act
    const { records, skipped } = parseDecisionLogLenient(text, "log.jsonl");

    // Assert
    expect(records.map((r) => r.type)).toEqual(["decision", "outcome"]);
    expect(skipped.map((e) => e.message)).toEqual([
      expect.stringMatching(/^log\.jsonl:2: not valid JSON/),
      expect.stringMatching(/^log\.jsonl:3: fingerprint: /),
    ]);
  });
});

describe("normalizeFingerprint", () => {
  it.each([
    ["fp-1", "fp-1"],
    [" padded ", "padded"],
    ["x".repeat(250), "x".repeat(200)],
    ["   ", undefined],
  ])("%j becomes %j", (input, expected) => {
    expect(normalizeFingerprint(input)).toBe(expected);
  });
});
