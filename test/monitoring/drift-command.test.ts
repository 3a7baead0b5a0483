import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { registerDriftCommand } from "../../src/cli/commands/drift.js";
import { createRandom } from "../../src/common/random.js";
import { loadCsv } from "../../src/data/load-csv.js";
import { buildReferenceProfile } from "../../src/monitoring/profile/profile.js";
import { openConfiguredRegistry } from "../../src/registry/open-registry.js";

let dir: string;

function csv(rows: number, seed: number, shift: number, extra = ""): string {
  const random = createRandom(seed);
  const lines = [`"monthly charges",plan/tier,tenure${extra ? `,${extra}` : ""}`];
  for (let i = 0; i < rows; i++) {
    const charges = (50 + 10 * random.normal() + shift).toExponential(6);
    const plan = ["basic", "pro", "max"][random.int(3)]!;
    const tenure = i % 17 === 0 ? "" : String(random.int(60));
    lines.push(`${charges},${plan},${tenure}${extra ? ",1" : ""}`);
  }
  return `${lines.join("\n")}\n`;
}

async function runDrift(args: string[]): Promise<{ stdout: string; exitCode: number }> {
  const program = new Command("meta-controller")
    .option("--root <dir>")
    .option("--log-format <format>")
    .option("--verbose")
    .exitOverride();
  registerDriftCommand(program);
  let stdout = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return true;
  });
  process.exitCode = 0;
  try {
    await program.parseAsync(["node", "meta-controller", "--root", dir, "--log-format", "json", ...args]);
  } finally {
    spy.mockRestore();
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { stdout, exitCode };
}

beforeAll(async () => {
  process.env.LOG_LEVEL = "silent";
  dir = await mkdtemp(join(tmpdir(), "drift-command-"));
  await writeFile(join(dir, "reference.csv"), csv(800, 1, 0));
  await writeFile(join(dir, "same.csv"), csv(500, 2, 0));
  await writeFile(join(dir, "shifted.csv"), csv(500, 3, 8));
  await writeFile(join(dir, "other-columns.csv"), csv(50, 4, 0, "id"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  process.exitCode = 0;
});

describe("meta-controller drift with CSV files", () => {
  it("prints exactly one JSON document with the issue's keys", async () => {
    const { stdout, exitCode } = await runDrift([
      "drift",
      "--reference",
      "reference.csv",
      "--current",
      "same.csv",
      "--json",
      "--fail-on-drift",
      "--no-multivariate",
    ]);
    const report = JSON.parse(stdout) as Record<string, unknown> & { features: Record<string, unknown>[] };
    expect(Object.keys(report)).toEqual([
      "drift",
      "drift_share",
      "n_reference",
      "n_current",
      "features",
      "multivariate",
      "correction",
      "excluded_columns",
    ]);
    expect(report).toMatchObject({
      drift: false,
      drift_share: 0,
      n_reference: 800,
      n_current: 500,
      excluded_columns: [],
    });
    expect(report.features.map((f) => [f.name, f.type, f.method])).toEqual([
      ["monthly charges", "numeric", "ks"],
      ["plan/tier", "categorical", "chi2"],
      ["tenure", "numeric", "ks"],
    ]);
    expect(Object.keys(report.features[0]!)).toEqual([
      "name",
      "type",
      "method",
      "statistic",
      "p_value",
      "threshold",
      "drift",
      "severity",
      "tests",
    ]);
    expect(exitCode).toBe(0);
  });

  it("exits 3 with --fail-on-drift when a column drifted, and 0 without the flag", async () => {
    const failing = await runDrift([
      "drift",
      "--reference",
      "reference.csv",
      "--current",
      "shifted.csv",
      "--json",
      "--fail-on-drift",
      "--no-multivariate",
    ]);
    expect(failing.exitCode).toBe(3);
    expect(JSON.parse(failing.stdout)).toMatchObject({ drift: true });
    const plain = await runDrift([
      "drift",
      "--reference",
      "reference.csv",
      "--current",
      "shifted.csv",
      "--no-multivariate",
    ]);
    expect(plain.exitCode).toBe(0);
    expect(plain.stdout).toMatch(/drift detected: 1 of 3 columns/);
    expect(plain.stdout).toMatch(/monthly charges\s+numeric\s+ks/);
  });

  it("treats --categorical columns as categories", async () => {
    const { stdout } = await runDrift([
      "drift",
      "--reference",
      "reference.csv",
      "--current",
      "same.csv",
      "--json",
      "--categorical",
      "tenure",
      "--no-multivariate",
    ]);
    const report = JSON.parse(stdout) as { features: { name: string; type: string; method: string }[] };
    expect(report.features[2]).toMatchObject({ name: "tenure", type: "categorical", method: "chi2" });
  });

  it.each([
    [
      ["--current", "same.csv", "--exclude", "nope"],
      /--exclude: the reference data \(reference\.csv\) has no column "nope"/,
    ],
    [["--current", "missing.csv"], /missing\.csv/],
    [["--current", "same.csv", "--method", "magic"], /--method magic: expected auto or one of ks, chi2/],
    [["--current", "same.csv", "--alpha", "1.5"], /--alpha 1\.5: expected a number between 0 and 1/],
  ])("rejects bad input %j with a clear error", async (args, message) => {
    await expect(
      runDrift(["drift", "--reference", "reference.csv", ...args, "--no-multivariate"]),
    ).rejects.toThrow(message);
  });
});

describe("meta-controller drift with a model reference", () => {
  it("reads the reference profile from the model card in the registry", async () => {
    // Arrange: push a model whose card carries the reference profile.
    const frame = await loadCsv(join(dir, "reference.csv"));
    const { registry } = openConfiguredRegistry({}, { root: dir });
    await registry.push({
      name: "churn",
      onnx: new Uint8Array([1, 2, 3]),
      card: {
        schema_version: 1,
        created_at: "2026-11-28T02:00:00Z",
        git_commit: "0123456789abcdef0123456789abcdef01234567",
        pipeline: {},
        data_files: [{ path: "reference.csv", sha256: "a".repeat(64), role: "data" }],
        task: "regression",
        target: "y",
        features: [{ name: "tenure", type: "numeric" }],
        metrics: {},
        params: {},
        tuning: null,
        training_time_ms: 1,
        tool_version: "0.1.0",
        reference_profile: buildReferenceProfile(frame),
      },
    });
    // Act
    const same = await runDrift([
      "drift",
      "--reference",
      "churn:v1",
      "--current",
      "same.csv",
      "--json",
      "--fail-on-drift",
    ]);
    const shifted = await runDrift([
      "drift",
      "--reference",
      "churn:v1",
      "--current",
      "shifted.csv",
      "--json",
      "--fail-on-drift",
    ]);
    // Assert
    const a = JSON.parse(same.stdout) as {
      drift: boolean;
      n_reference: number;
      features: { method: string }[];
    };
    expect(a.n_reference).toBe(800);
    expect(a.features.map((f) => f.method)).toEqual(["chi2", "chi2", "chi2"]);
    expect([a.drift, same.exitCode]).toEqual([false, 0]);
    expect([(JSON.parse(shifted.stdout) as { drift: boolean }).drift, shifted.exitCode]).toEqual([true, 3]);
  });

  it("names a model that is not in the registry", async () => {
    await expect(runDrift(["drift", "--reference", "nosuch:v1", "--current", "same.csv"])).rejects.toThrow(
      /nosuch/,
    );
  });
});
