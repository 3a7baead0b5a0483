/**
 * A decision log whose last line was cut short (a writer killed mid-append,
 * a full disk) loses nothing after it: the next append starts on its own
 * line, and every reader (the file store, `policy evaluate` through the
 * built CLI) skips the bad line and says how many it skipped and where.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRandom } from "../../src/common/random.js";
import {
  appendDecisionLogFile,
  createFileDecisionLogStore,
  loadDecisionLogPaths,
} from "../../src/decision/decision-log-file.js";
import { formatLogLine, type OutcomeRecord } from "../../src/decision/decision-log.js";
import { resolvePolicy } from "../../src/decision/policy-spec.js";
import { simulateEngine } from "../../src/decision/simulator.js";
import { runCli } from "../helpers/processes.js";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mc-log-durable-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const outcome = (fingerprint: string, minute: number): OutcomeRecord => ({
  v: 1,
  type: "outcome",
  at: new Date(Date.UTC(2026, 10, 28, 2, minute)).toISOString(),
  fingerprint,
  event: "resolved",
});

/** The first `cut` bytes of a record's line, without its newline: what a killed writer leaves. */
function truncatedLine(record: OutcomeRecord, cut: number): string {
  return formatLogLine(record).slice(0, cut);
}

describe("decision log: append after a truncated last line", () => {
  it("starts the new record on its own line, so it is readable and the cut line is counted", async () => {
    const path = join(dir, "decisions.jsonl");
    await writeFile(path, `${formatLogLine(outcome("a", 0))}${truncatedLine(outcome("cut", 1), 30)}`);

    await appendDecisionLogFile(path, [outcome("b", 2)]);
    const skipped: string[] = [];
    const records = await createFileDecisionLogStore(path, {
      onSkipped: (error) => void skipped.push(error.message),
    }).load();

    expect(records.map((r) => (r as OutcomeRecord).fingerprint)).toEqual(["a", "b"]);
    expect(skipped).toEqual([expect.stringMatching(/decisions\.jsonl:2: not valid JSON/)]);
    expect((await readFile(path, "utf8")).endsWith(formatLogLine(outcome("b", 2)))).toBe(true);
  });

  it("adds no blank line when the file already ends with a newline, or is new", async () => {
    const path = join(dir, "decisions.jsonl");
    await appendDecisionLogFile(path, [outcome("a", 0)]);
    await appendDecisionLogFile(path, [outcome("b", 1)]);
    expect(await readFile(path, "utf8")).toBe(
      formatLogLine(outcome("a", 0)) + formatLogLine(outcome("b", 1)),
    );
  });

  it("skips and counts bad lines when several files are read as one log", async () => {
    const first = join(dir, "2026-11.jsonl");
    const second = join(dir, "2026-12.jsonl");
    await writeFile(first, `${formatLogLine(outcome("a", 0))}not json\n`);
    await writeFile(second, `{"v":1,"type":"decision"}\n${formatLogLine(outcome("b", 1))}`);
    const skipped: string[] = [];

    const records = await loadDecisionLogPaths([dir], (error) => void skipped.push(error.message));

    expect(records.map((r) => (r as OutcomeRecord).fingerprint)).toEqual(["a", "b"]);
    expect(skipped).toEqual([
      expect.stringMatching(/2026-11\.jsonl:2: not valid JSON/),
      expect.stringMatching(/2026-12\.jsonl:1: /),
    ]);
  });
});

describe("meta-controller policy evaluate (built CLI) on a log with a bad line", () => {
  it("evaluates the rest and reports how many lines it skipped and where", async () => {
    const sim = simulateEngine({
      policy: resolvePolicy({ bandit: { enabled: true } }),
      steps: 200,
      world: createRandom(4),
      agent: createRandom(5),
    });
    const lines = sim.log.map(formatLogLine);
    lines.splice(10, 0, truncatedLine(outcome("cut", 1), 25) + "\n");
    const path = join(dir, "decisions.jsonl");
    await writeFile(path, lines.join(""));
    const now = new Date(sim.end.getTime() + 86_400_000).toISOString();

    const table = await runCli(["policy", "evaluate", "--log", path, "--now", now]);
    const json = await runCli(["policy", "evaluate", "--log", path, "--now", now, "--json"]);

    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain("decisions 200");
    expect(table.stderr).toMatch(/skipped 1 unreadable line .*\n.*decisions\.jsonl:11: not valid JSON/);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as {
      decisions: number;
      skipped_lines: { count: number; where: string[] };
    };
    expect(report.decisions).toBe(200);
    expect(report.skipped_lines.count).toBe(1);
    expect(report.skipped_lines.where).toEqual([
      expect.stringMatching(/decisions\.jsonl:11: not valid JSON/),
    ]);
  });
});
