import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { registerPolicyCommand } from "../../src/cli/commands/policy.js";
import { createRandom } from "../../src/common/random.js";
import { formatLogLine } from "../../src/decision/decision-log.js";
import { resolvePolicy } from "../../src/decision/policy-spec.js";
import { simulateEngine } from "../../src/decision/simulator.js";

interface ValueReport {
  ips: { value: number; std_error: number };
  dr: { value: number; std_error: number };
  match_rate: number;
}
interface Report {
  decisions: number;
  settled: number;
  pending: number;
  baseline: ValueReport;
  policy: ValueReport;
  improvement: { value: number };
}

const dir = mkdtempSync(join(tmpdir(), "policy-evaluate-"));

let lastStderr = "";

async function run(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerPolicyCommand(program);
  let out = "";
  lastStderr = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const errSpy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    lastStderr += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(["node", "meta-controller", ...args]);
  } finally {
    spy.mockRestore();
    errSpy.mockRestore();
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe("meta-controller policy evaluate", () => {
  const sim = simulateEngine({
    policy: resolvePolicy({ bandit: { enabled: true } }),
    steps: 600,
    world: createRandom(4),
    agent: createRandom(5),
  });
  const logPath = join(dir, "decisions.jsonl");
  writeFileSync(logPath, sim.log.map(formatLogLine).join(""));
  const now = new Date(sim.end.getTime() + 86_400_000).toISOString();

  it("prints IPS and DR estimates for the policy and the baseline as one JSON document", async () => {
    const out = await run(["policy", "evaluate", "--log", logPath, "--now", now, "--json"]);

    const report = JSON.parse(out) as Report;
    expect(report.decisions).toBe(600);
    expect(report.settled).toBe(600);
    expect(report.pending).toBe(0);
    for (const side of ["baseline", "policy"] as const) {
      expect(Number.isFinite(report[side].ips.value)).toBe(true);
      expect(report[side].dr.std_error).toBeGreaterThan(0);
      expect(report[side].match_rate).toBeGreaterThan(0);
    }
    expect(report.improvement.value).toBeCloseTo(report.policy.dr.value - report.baseline.dr.value, 5);
  });

  it("reads a folder of month shards, or several --log files, as the one log they split", async () => {
    // Arrange: the log cut in three, as the state branch shards it.
    const shards = join(dir, "decisions");
    mkdirSync(shards);
    const lines = sim.log.map(formatLogLine);
    const cuts = [0, 200, 450, lines.length];
    const names = ["2026-10.jsonl", "2026-11.jsonl", "2026-11_01.jsonl"];
    names.forEach((name, i) => writeFileSync(join(shards, name), lines.slice(cuts[i], cuts[i + 1]).join("")));
    writeFileSync(join(shards, "README.md"), "not a log");

    // Act
    const whole = await run(["policy", "evaluate", "--log", logPath, "--now", now, "--json"]);
    const folder = await run(["policy", "evaluate", "--log", shards, "--now", now, "--json"]);
    const files = await run([
      "policy",
      "evaluate",
      ...names.flatMap((name) => ["--log", join(shards, name)]),
      "--now",
      now,
      "--json",
    ]);
    const reversed = await run([
      "policy",
      "evaluate",
      ...[...names].reverse().flatMap((name) => ["--log", join(shards, name)]),
      "--now",
      now,
      "--json",
    ]);

    // The same shard again through a symbolic link.
    const link = join(dir, "link.jsonl");
    symlinkSync(join(shards, names[0]!), link);
    const twice = await run([
      "policy",
      "evaluate",
      "--log",
      join(shards, names[1]!),
      "--log",
      shards,
      "--log",
      link,
      "--now",
      now,
      "--json",
    ]);

    // Assert: split and rejoined in any argument order, or named twice, the log is the same log.
    expect(folder).toBe(whole);
    expect(files).toBe(whole);
    expect(reversed).toBe(whole);
    expect(twice).toBe(whole);
    expect((JSON.parse(whole) as { unmatched_outcomes: number }).unmatched_outcomes).toBe(0);
    expect(lastStderr).toBe("");
  });

  it("reports outcomes that match no decision, in the JSON and on stderr", async () => {
    // Arrange: the log plus an outcome for an incident it never decided on.
    const orphan = join(dir, "orphan.jsonl");
    writeFileSync(
      orphan,
      formatLogLine({
        v: 1,
        type: "outcome",
        at: sim.end.toISOString(),
        fingerprint: "ghost",
        decision_id: "d-missing",
        event: "human_revert",
        detail: "thumbs_down",
      }),
    );

    // Act
    const out = await run(["policy", "evaluate", "--log", logPath, "--log", orphan, "--now", now, "--json"]);

    // Assert
    const report = JSON.parse(out) as { unmatched_outcomes: number; unmatched: unknown[] };
    expect(report.unmatched_outcomes).toBe(1);
    expect(report.unmatched).toEqual([
      { at: sim.end.toISOString(), fingerprint: "ghost", event: "human_revert", decision_id: "d-missing" },
    ]);
    expect(lastStderr).toMatch(/WARN/);
    expect(lastStderr).toContain(
      `outcome human_revert of "ghost" at ${sim.end.toISOString()} for decision d-missing matches no decision in the log\n`,
    );
  });

  it("names a folder without log files", async () => {
    const empty = join(dir, "no-logs");
    mkdirSync(empty);

    await expect(run(["policy", "evaluate", "--log", empty])).rejects.toThrow(
      /no-logs: folder holds no \*\.jsonl/,
    );
  });

  it("prints a table for people", async () => {
    const out = await run(["policy", "evaluate", "--log", logPath, "--now", now]);

    expect(out).toMatch(/decisions 600, settled 600, pending 0/);
    expect(out).toMatch(/^baseline\s+-?\d\.\d{4} ± \d\.\d{4}/m);
    expect(out).toMatch(/policy − baseline \(DR\): /);
  });

  it("leaves rewards pending when asked as of the time of the last decision", async () => {
    const last = sim.log.filter((r) => r.type === "decision").at(-1)!.at;

    const report = JSON.parse(
      await run(["policy", "evaluate", "--log", logPath, "--now", last, "--json"]),
    ) as {
      pending: number;
    };

    expect(report.pending).toBeGreaterThan(0);
  });

  it.each([["a missing file", undefined, /cannot read the decision log/]])(
    "reports %s with the file and line",
    async (_name, content, message) => {
      const path = join(dir, "bad.jsonl");
      if (content !== undefined) writeFileSync(path, content);

      await expect(
        run(["policy", "evaluate", "--log", content === undefined ? join(dir, "none.jsonl") : path]),
      ).rejects.toThrow(message);
    },
  );

  it("reports an empty log without numbers rather than NaN", async () => {
    const empty = join(dir, "empty.jsonl");
    writeFileSync(empty, "");

    const json = JSON.parse(await run(["policy", "evaluate", "--log", empty, "--json"])) as Report;
    const table = await run(["policy", "evaluate", "--log", empty]);

    expect(json.decisions).toBe(0);
    expect(json.baseline.dr.value).toBeNull();
    expect(table).not.toContain("NaN");
  });

  it("rejects an invalid --now", async () => {
    await expect(run(["policy", "evaluate", "--log", logPath, "--now", "yesterday"])).rejects.toThrow(
      /--now/,
    );
  });

  it("reads reward settings from an environment file and names a bad field", async () => {
    const env = join(dir, "production.yaml");
    writeFileSync(env, "model: churn\npolicy:\n  reward:\n    human_revert_penalty: -1\n");

    await expect(run(["policy", "evaluate", "--log", logPath, "--environment", env])).rejects.toThrow(
      /production\.yaml:.*policy\.reward\.human_revert_penalty/,
    );
  });
});
