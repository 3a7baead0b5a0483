/**
 * The bot, as a process with its default policy (the decision engine, its
 * log in a file here; `npm run bench:decisions` runs the repository log), on a
 * labelled set it was not tuned on: alerts built from the rules we render
 * and events a real server sent (labelled-alerts.ts says why each label is
 * what it is). Targets: rollback precision ≥ 0.95 and recall ≥ 0.99, no
 * action on a no-fault control, no wrong target, no silent drop.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { runLabelledSet, type LabelledMeasures } from "./labelled-run.js";
import type { CapturedServerEvents } from "./server-event-capture.js";

let measures: LabelledMeasures;
let events: CapturedServerEvents;

beforeAll(async () => {
  ({ measures, events } = await runLabelledSet({ decisionLog: "file" }));
}, 1_000_000);

describe("the events a real server sent", () => {
  it("name the model at fault: the failing candidate or stable, the aborted candidate, none for a completion or drift", () => {
    const { digests: d } = events;
    expect({
      candidateLoadFailed: events.candidateLoadFailed.digests.at_fault,
      stableLoadFailed: events.stableLoadFailed.digests.at_fault,
      rolloutAborted: events.rolloutAborted.digests.at_fault,
      rolloutCompleted: events.rolloutCompleted.digests.at_fault,
      driftDetected: events.driftDetected.digests.at_fault,
    }).toEqual({
      candidateLoadFailed: d.missing,
      stableLoadFailed: d.missing,
      rolloutAborted: d.candidate,
      rolloutCompleted: null,
      driftDetected: null,
    });
    // The failing candidate's event still says the stable serves: the bot must not take that one.
    expect(events.candidateLoadFailed.digests.serving).toBe(d.stable);
  });
});

describe("the labelled alert set, through the bot process", () => {
  it("is large enough to measure and covers every kind of case", () => {
    expect(measures.cases).toBeGreaterThanOrEqual(60);
    expect(measures.positives).toBeGreaterThanOrEqual(25);
  });

  it("rolls back with precision >= 0.95 and recall >= 0.99", () => {
    expect({ missed: measures.missed, falseAlarms: measures.falseAlarms }).toEqual({
      missed: [],
      falseAlarms: [],
    });
    expect(measures.precision).toBeGreaterThanOrEqual(0.95);
    expect(measures.recall).toBeGreaterThanOrEqual(0.99);
  });

  it("takes no action on a no-fault control", () => {
    expect(measures.controlActions).toEqual([]);
  });

  it("quarantines the model at fault and restores the last good one, never another", () => {
    expect(measures.wrongTargets).toEqual([]);
  });

  it("tells people about every firing incident it does not act on", () => {
    expect(measures.silentDrops).toEqual([]);
  });

  it("opens one PR per incident, however often the alert is delivered", () => {
    expect(measures.duplicatePulls).toEqual([]);
  });
});
