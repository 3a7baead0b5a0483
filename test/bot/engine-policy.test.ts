/**
 * The engine-backed policy around its decision log: a log that cannot be
 * read or written never blocks the safety action (the guardrails decide
 * alone, the failure is reported, the line waits in an outbox), outcomes
 * name the decision they judge, and a rollback the environment does not
 * allow to run on its own is logged as the notify it became.
 */
import { describe, expect, it } from "vitest";
import { GitHubApiError } from "../../src/common/errors.js";
import type { Logger } from "../../src/common/logger.js";
import { EnvironmentSpec } from "../../src/config/environment.js";
import { createEnginePolicy } from "../../src/decision/engine-policy.js";
import type { PolicyContext, PolicyDecision } from "../../src/decision/incident-policy.js";
import {
  createMemoryDecisionLogStore,
  type DecisionLogStore,
} from "../../src/decision/decision-log-store.js";
import type { DecisionRecord, LogRecord } from "../../src/decision/decision-log.js";
import { resolvePolicy } from "../../src/decision/policy-spec.js";
import { foldDecisionLog } from "../../src/decision/policy-state.js";
import { makeIncident, STABLE, CANDIDATE } from "../decision/incidents.js";

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Logger;

/** A store in memory that fails its next `failLoads` loads and `failAppends` appends with a 500. */
function flakyStore(failLoads: number, failAppends: number) {
  const inner = createMemoryDecisionLogStore();
  const counts = { loads: failLoads, appends: failAppends };
  const store: DecisionLogStore = {
    name: "flaky",
    load: () =>
      counts.loads-- > 0 ? Promise.reject(new GitHubApiError("HTTP 500 on contents", 500)) : inner.load(),
    append: (records, at) =>
      counts.appends-- > 0
        ? Promise.reject(new GitHubApiError("HTTP 500 on contents", 500))
        : inner.append(records, at),
  };
  return { store, inner };
}

const environment = (automatic: boolean) =>
  EnvironmentSpec.parse({
    name: "production",
    model: "churn",
    stable: `churn:v1@${STABLE}`,
    rollback: { automatic },
  });

const incident = (fingerprint: string, startedAt: string) =>
  makeIncident({
    fingerprint,
    started_at: startedAt,
    digests: { serving: CANDIDATE, stable: STABLE, candidate: null },
  });

function engine() {
  return createEnginePolicy({ apiKey: undefined, seed: 7, logger: quiet });
}

/** Decides, then records the decision as taken, as incident handling does; both log problems are joined. */
async function decideAndRecord(
  policy: ReturnType<typeof engine>,
  subject: ReturnType<typeof incident>,
  context: PolicyContext,
): Promise<PolicyDecision> {
  const decision = await policy.decide(subject, context);
  const unwritten = await policy.recordDecision(decision, context);
  const problems = [decision.logProblem, unwritten].filter((p) => p !== undefined);
  return problems.length === 0 ? decision : { ...decision, logProblem: problems.join(" ") };
}

const T0 = Date.parse("2026-11-28T02:00:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

describe("createEnginePolicy and a failing decision log", () => {
  it("rolls back by the guardrails when the log cannot be read, and says so", async () => {
    // Arrange
    const { store, inner } = flakyStore(1, 0);
    const policy = engine();

    // Act
    const decision = await decideAndRecord(policy, incident("fp-a", at(0).toISOString()), {
      now: at(0),
      environment: environment(true),
      allowedHosts: [],
      decisionLog: store,
    });

    // Assert
    expect([decision.action, decision.reason_code]).toEqual(["rollback", "critical_after_deploy"]);
    expect(decision.logProblem).toMatch(
      /decision log \(`flaky`\) could not be read \(HTTP 500 on contents\).*guardrails alone/,
    );
    const written = await inner.load();
    expect(written.map((r) => [r.type, r.type === "decision" && r.id === decision.decisionId])).toEqual([
      ["decision", true],
    ]);
  });

  it("keeps a line it could not write, says so, and writes it before the next one", async () => {
    // Arrange
    const { store, inner } = flakyStore(0, 1);
    const policy = engine();
    const context = { environment: environment(true), allowedHosts: [], decisionLog: store };

    // Act
    const first = await decideAndRecord(policy, incident("fp-a", at(0).toISOString()), {
      ...context,
      now: at(0),
    });
    const waiting = policy.pendingAppends();
    await policy.recordOutcome!(
      { fingerprint: "fp-a", at: at(5), event: "resolved", decisionId: first.decisionId! },
      store,
    );

    // Assert
    expect(first.action).toBe("rollback");
    expect(first.logProblem).toMatch(/could not be written to the decision log \(`flaky`: HTTP 500/);
    expect(waiting).toBe(1);
    expect(policy.pendingAppends()).toBe(0);
    expect((await inner.load()).map((r) => r.type)).toEqual(["decision", "outcome"]);
  });
});

describe("outcomes joined by decision id", () => {
  it("credits a revert of the older rollback PR to the older decision after the incident re-fired", async () => {
    // Arrange: the same alert decided twice, two hours apart (past the cooldown).
    const store = createMemoryDecisionLogStore();
    const policy = engine();
    const context = { environment: environment(true), allowedHosts: [], decisionLog: store };
    const older = await decideAndRecord(policy, incident("fp-r", at(0).toISOString()), {
      ...context,
      now: at(0),
    });
    const newer = await decideAndRecord(policy, incident("fp-r", at(120).toISOString()), {
      ...context,
      now: at(120),
    });

    // Act: a person closes the older PR; its marker names the older decision.
    await policy.recordOutcome!(
      {
        fingerprint: "fp-r",
        at: at(125),
        event: "human_revert",
        detail: "rollback_pr_closed_unmerged",
        decisionId: older.decisionId!,
      },
      store,
    );
    const records = await store.load();
    const state = foldDecisionLog(records, { policy: resolvePolicy(), now: at(400) });

    // Assert
    expect(older.decisionId).not.toBe(newer.decisionId);
    expect(records.at(-1)).toMatchObject({ type: "outcome", decision_id: older.decisionId });
    expect(state.byId.get(older.decisionId!)!.revertedAt).toBe(at(125).getTime());
    expect(state.byId.get(newer.decisionId!)!.revertedAt).toBeUndefined();
    expect(state.unmatchedOutcomes).toBe(0);
  });
});

describe("an environment without automatic rollback", () => {
  it("logs the notify the rollback became, and starts no cooldown", async () => {
    // Arrange
    const store = createMemoryDecisionLogStore();
    const policy = engine();
    const context = { environment: environment(false), allowedHosts: [], decisionLog: store };

    // Act: two critical incidents on the same model five minutes apart (inside the 15-minute cooldown).
    const first = await decideAndRecord(policy, incident("fp-1", at(0).toISOString()), {
      ...context,
      now: at(0),
    });
    const second = await decideAndRecord(policy, incident("fp-2", at(5).toISOString()), {
      ...context,
      now: at(5),
    });
    const logged = (await store.load()) as LogRecord[];

    // Assert
    expect([first.action, first.reason_code, first.hold]).toEqual([
      "notify",
      "automatic_rollback_off",
      undefined,
    ]);
    expect([second.action, second.reason_code, second.hold]).toEqual([
      "notify",
      "automatic_rollback_off",
      undefined,
    ]);
    expect(logged.map((r) => [(r as DecisionRecord).action, (r as DecisionRecord).mask])).toEqual([
      ["notify", ["notify", "retrain"]],
      ["notify", ["notify", "retrain"]],
    ]);
  });
});
