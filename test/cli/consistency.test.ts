/**
 * The CLI speaks one way (the built binary, as a user runs it): servers
 * announce themselves alike, help texts share case and width, metrics print
 * with four decimals, `evaluate --data` says what it evaluated, and the
 * drift report states its family threshold once.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { createProgram } from "../../src/cli/program.js";
import { readListeningUrl, runCli, startCli } from "../helpers/processes.js";

const root = mkdtempSync(join(tmpdir(), "mc-consistency-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A target a tree separates perfectly, so accuracy is exactly 1. */
function writeSeparable(name: string, offset: number): void {
  const lines = ["x,noise,label"];
  for (let i = 0; i < 120; i++)
    lines.push(`${i + offset},${(i * 7919) % 13},${i + offset < 60 ? "low" : "high"}`);
  writeFileSync(join(root, name), `${lines.join("\n")}\n`);
}
writeSeparable("train.csv", 0);
writeSeparable("other.csv", 3);
writeFileSync(
  join(root, "separable.yaml"),
  [
    "name: separable",
    "data_processing:",
    "  data_source: { type: csv, path: train.csv }",
    "  feature_engineering:",
    "    numeric_features: [x, noise]",
    "model_training:",
    "  model_type: decision_tree",
    "  target_column: label",
    "",
  ].join("\n"),
);

/** Rows of a metric table: two spaces, a name, then numbers. */
function metricValues(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => /^ {2}(accuracy|f1|precision|recall|roc_auc|log_loss)\b/.test(line))
    .flatMap((line) => line.trim().split(/\s+/).slice(1));
}

describe("one voice across commands", () => {
  it("bot announces itself as serve does: 'listening on <url>' on stdout, pretty logs", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const { child, value: url } = await startCli(["bot"], {
      env: {
        APP_ID: "1",
        PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
        WEBHOOK_SECRET: "s",
        PORT: "0",
        BOT_STATE_DIR: join(root, "bot-state"),
        LOG_LEVEL: "info",
        LOG_FORMAT: undefined,
      },
      ready: readListeningUrl,
    });
    expect(child.stdout()).toBe(`listening on ${url}\n`);
    await child.stop();
    expect(child.stderr()).toContain("INFO");
    expect(
      child
        .stderr()
        .split("\n")
        .filter((line) => line.startsWith("{")),
    ).toEqual([]);
  });

  it("every help text starts its descriptions in lower case and fits in 80 columns", async () => {
    // Every command and subcommand, from the program the binary runs; the ones that differed, also from the binary.
    const helps: string[] = [];
    const walk = (command: Command): void => {
      helps.push(command.helpInformation());
      command.commands.forEach(walk);
    };
    walk(createProgram());
    for (const args of [["policy", "evaluate"], ["render"], ["render", "prometheus-rules"]])
      helps.push((await runCli([...args, "--help"])).stdout);
    expect(helps.length).toBeGreaterThan(25);
    const problems: string[] = [];
    for (const help of helps) {
      for (const line of help.split("\n")) {
        if (line.length > 80) problems.push(`longer than 80: ${line}`);
        const description = /^ {2}\S.*?\s{2,}(\S.*)$/.exec(line)?.[1];
        if (description !== undefined && /^[A-Z][a-z]/.test(description))
          problems.push(`capitalised: ${line}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("prints a perfect metric as 1.0000 beside the others, and evaluate --data says it used other data", async () => {
    const train = await runCli(["train", "separable.yaml", "--registry", "registry"], { cwd: root });
    expect(train.code, train.stderr).toBe(0);
    const trained = metricValues(train.stdout);
    expect(trained).toContain("1.0000");
    for (const value of trained) expect(value).toMatch(/^(\d+\.\d{4}|—)$/);

    const other = await runCli(
      ["evaluate", "separable:v1", "--data", "other.csv", "--registry", "registry"],
      {
        cwd: root,
      },
    );
    expect(other.code, other.stderr).toBe(0);
    expect(other.stdout).toContain(
      "evaluated on other data (other.csv); the card column holds the metrics on the model's own holdout, for comparison",
    );
    expect(other.stdout).not.toContain("differs");
    for (const value of metricValues(other.stdout)) expect(value).toMatch(/^(\d+\.\d{4}|—)$/);

    const own = await runCli(["evaluate", "separable:v1", "--registry", "registry"], { cwd: root });
    expect(own.stdout).toContain("reproduces the card's metrics exactly on the model's own holdout");
  }, 300_000);

  it("drift states the family threshold once, with the correction its JSON names and --help lists", async () => {
    const args = ["drift", "--reference", "train.csv", "--current", "other.csv", "--no-multivariate"];
    const text = await runCli(args, { cwd: root });
    expect(text.code, text.stderr).toBe(0);
    const json = await runCli([...args, "--json"], { cwd: root });
    const report = JSON.parse(json.stdout) as {
      correction: { method: string; alpha: number; tests: number };
    };
    const { method, alpha, tests } = report.correction;
    expect(text.stdout).toMatch(
      new RegExp(
        `^p-value threshold \\S+ for every p-value test \\(${method} correction over ${tests} tests at α ${alpha}\\)$`,
        "m",
      ),
    );
    expect(text.stdout).not.toContain("THRESHOLD");
    const help = await runCli(["drift", "--help"]);
    expect(help.stdout.replace(/\s+/g, " ")).toContain(`${method}`);
  }, 120_000);
});
