import { describe, expect, it } from "vitest";
import { createProgressReporter } from "../../src/tuning/progress.js";
import type { Trial } from "../../src/tuning/samplers.js";

function trial(number: number, score: number): Trial {
  return {
    number,
    params: { max_depth: number === 1 ? null : 3 },
    score,
    duration_ms: 5,
    shard: { index: 1, count: 1 },
  };
}

describe("createProgressReporter", () => {
  it("prints one plain line per trial when not on a terminal", () => {
    // Arrange
    const out: string[] = [];
    const reporter = createProgressReporter(
      { write: (s: string) => out.push(s) },
      { total: 3, isTty: false },
    );

    // Act
    reporter.update(trial(0, 0.75), { completed: 1, total: 3, best: trial(0, 0.75) });
    reporter.update(trial(1, 0.8), { completed: 2, total: 3, best: trial(1, 0.8) });
    reporter.finish();

    // Assert
    expect(out).toEqual([
      'tuning: trial 1/3 #0 score 0.7500 {"max_depth":3} — best 0.7500 (#0)\n',
      'tuning: trial 2/3 #1 score 0.8000 {"max_depth":null} — best 0.8000 (#1)\n',
    ]);
  });

  it("redraws one bar in place on a terminal and ends the line when done", () => {
    const out: string[] = [];
    const reporter = createProgressReporter(
      { write: (s: string) => out.push(s) },
      { total: 4, isTty: true, width: 8 },
    );

    reporter.update(trial(0, 0.5), { completed: 1, total: 4, best: trial(0, 0.5) });
    reporter.update(trial(1, 0.25), { completed: 4, total: 4, best: trial(0, 0.5) });
    reporter.finish();

    expect(out).toEqual([
      "\r\x1b[2Ktuning ██░░░░░░ 1/4 best 0.5000 (#0)",
      "\r\x1b[2Ktuning ████████ 4/4 best 0.5000 (#0)",
      "\n",
    ]);
  });
});
