import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createRandom } from "../../src/common/random.js";
import { isAutomatedAction, isRollbackAction } from "../../src/decision/actions.js";
import { decide } from "../../src/decision/decide.js";
import { Incident } from "../../src/decision/incident.js";
import { resolvePolicy } from "../../src/decision/policy-spec.js";
import { foldDecisionLog } from "../../src/decision/policy-state.js";

interface Labelled {
  cause: string;
  calls_for_rollback: boolean;
  control: boolean;
  quarantined: string[];
  incident: unknown;
}

// Drawn by make_goldens.py from hidden causes and labelled by cause, not by the engine's rules.
const labelled = JSON.parse(
  readFileSync(new URL("../fixtures/decision/labelled-incidents.json", import.meta.url), "utf8"),
) as Labelled[];

function replay() {
  const policy = resolvePolicy();
  const now = new Date("2026-03-02T10:05:00Z");
  const state = foldDecisionLog([], { policy, now });
  return labelled.map((item) => {
    const incident = Incident.parse(item.incident);
    const decision = decide(incident, {
      policy,
      state,
      now,
      random: createRandom(1),
      quarantinedDigests: item.quarantined,
    });
    return { item, decision };
  });
}

describe("the labelled incident set, replayed through the engine", () => {
  const results = replay();

  it("has enough of each class to measure", () => {
    expect(results.filter((r) => r.item.calls_for_rollback).length).toBeGreaterThanOrEqual(100);
    expect(results.filter((r) => r.item.control).length).toBeGreaterThanOrEqual(50);
  });

  it("rolls back with precision >= 0.95 and recall >= 0.99", () => {
    const rolledBack = results.filter((r) => isRollbackAction(r.decision.action));
    const truePositives = rolledBack.filter((r) => r.item.calls_for_rollback).length;
    const positives = results.filter((r) => r.item.calls_for_rollback).length;

    const precision = truePositives / rolledBack.length;
    const recall = truePositives / positives;

    expect(precision).toBeGreaterThanOrEqual(0.95);
    expect(recall).toBeGreaterThanOrEqual(0.99);
  });

  it("takes no action on no-fault control alerts", () => {
    const controls = results.filter((r) => r.item.control);

    const acted = controls.filter((r) => r.decision.action !== "ignore");

    expect(controls.length).toBeGreaterThan(0);
    expect(acted.map((r) => `${r.item.cause}: ${r.decision.action}`)).toEqual([]);
  });

  it("never rolls back to a quarantined digest or without a stable model", () => {
    const blocked = results.filter(
      (r) => r.item.cause === "bad_deploy_stable_quarantined" || r.item.cause === "bad_deploy_no_stable",
    );

    expect(blocked.length).toBeGreaterThan(0);
    expect(blocked.filter((r) => isAutomatedAction(r.decision.action))).toEqual([]);
    expect(blocked.every((r) => r.decision.action === "notify")).toBe(true);
  });
});
