/**
 * The logging rule, on the built CLI: pretty by default (a CI log too), JSON
 * only when asked and then every stderr line is JSON (errors included), and
 * tuning progress on stderr in every mode, `--json` included.
 */
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { createChurnProject } from "../helpers/churn-project.js";
import { runCli } from "../helpers/processes.js";

const root = createChurnProject("tuned", [
  "enable_hyperparameter_tuning: true",
  "hyperparameter_tuning:",
  "  param_grid: { max_depth: [2, 3, 4] }",
  "  cv_folds: 2",
]);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A CI runner's environment: stderr is a pipe, CI=true. */
const CI_ENV: NodeJS.ProcessEnv = {
  CI: "true",
  GITHUB_ACTIONS: "true",
  LOG_LEVEL: "info",
  LOG_FORMAT: undefined,
};
const TRAIN = ["train", "pipelines/tuned.yaml", "--no-push"];

function lines(text: string): string[] {
  return text.split("\n").filter((line) => line.trim() !== "");
}

describe("logging", () => {
  it("is pretty by default in a CI log, with one progress line per trial on stderr", async () => {
    const run = await runCli(TRAIN, { cwd: root, env: CI_ENV, timeoutMs: 300_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(lines(run.stderr).filter((line) => line.startsWith("{"))).toEqual([]);
    expect(run.stderr).toMatch(/INFO.*loaded \d+ training and \d+ holdout rows/);
    expect(lines(run.stderr).filter((line) => line.startsWith("tuning: trial "))).toHaveLength(3);
  }, 300_000);

  it("keeps progress on stderr with --json, and stdout one document", async () => {
    const run = await runCli([...TRAIN, "--json"], { cwd: root, env: CI_ENV, timeoutMs: 300_000 });
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { pipeline: string }).pipeline).toBe("tuned");
    expect(run.stderr).toMatch(/^tuning: trial 3\/3 #\d+ score /m);
  }, 300_000);

  it("writes only JSON lines with --log-format json: logs, progress records and the error", async () => {
    const run = await runCli(["--log-format", "json", ...TRAIN, "--json"], {
      cwd: root,
      env: CI_ENV,
      timeoutMs: 300_000,
    });
    expect(run.code, run.stderr).toBe(0);
    const records = lines(run.stderr).map((line) => JSON.parse(line) as Record<string, unknown>);
    const progress = records.filter((record) => typeof record.completed === "number");
    expect(progress.map((record) => record.completed)).toEqual([1, 2, 3]);
    expect(progress[2]).toMatchObject({
      total: 3,
      msg: expect.stringMatching(/^tuning: trial 3\/3/) as unknown,
    });

    const failed = await runCli(["--log-format", "json", "train", "pipelines/nope.yaml"], {
      cwd: root,
      env: CI_ENV,
    });
    expect(failed.code).toBe(1);
    const errors = lines(failed.stderr).map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(errors.at(-1)).toMatchObject({
      level: 50,
      msg: expect.stringContaining("pipelines/nope.yaml") as unknown,
    });
  }, 300_000);

  it("writes commander's usage errors as JSON too, and names a bad --log-format", async () => {
    const unknown = await runCli(["--log-format", "json", "train", "--no-such-flag"], {
      cwd: root,
      env: CI_ENV,
    });
    expect(unknown.code).toBe(1);
    for (const line of lines(unknown.stderr)) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    expect(unknown.stderr).toContain("unknown option '--no-such-flag'");

    const bad = await runCli(["--log-format", "yaml", "validate"], { cwd: root, env: CI_ENV });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error: --log-format "yaml": expected pretty or json');
  });
});
