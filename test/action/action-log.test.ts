/**
 * The Action's CI log, from the built entry as the runner runs it: each stage
 * in a collapsible group, the pipeline's log and one line per tuning trial
 * inside the training group, and the result table outside any group.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createWorkspace, pipelineYaml, runAction } from "./action-harness.js";

const folders: string[] = [];
afterAll(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

/** The lines between `::group::<name…>` and its `::endgroup::`. */
function groupLines(stdout: string, name: string): string[] {
  const lines = stdout.split("\n");
  const start = lines.findIndex((line) => line.startsWith(`::group::${name}`));
  if (start < 0) return [];
  const end = lines.indexOf("::endgroup::", start);
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** The lines no group holds. */
function ungroupedLines(stdout: string): string[] {
  let depth = 0;
  const out: string[] = [];
  for (const line of stdout.split("\n")) {
    if (line.startsWith("::group::")) depth++;
    else if (line === "::endgroup::") depth--;
    else if (depth === 0) out.push(line);
  }
  return out;
}

describe("the Action's CI log", () => {
  it("groups validate, train and report; tuning progress and logs inside; the result table outside", async () => {
    const workspace = await createWorkspace({
      "pipelines/churn.yaml": pipelineYaml({ name: "churn_small", tuning: true }),
    });
    const registry = await mkdtemp(join(tmpdir(), "mc-action-log-registry-"));
    folders.push(workspace, registry);
    const inputs = { registry, "changed-only": "false" };

    const run = await runAction({ workspace, inputs, eventName: "push" });

    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(groupLines(run.stdout, "validate 1 file(s)")).toEqual(["✓ pipelines/churn.yaml"]);
    const train = groupLines(run.stdout, "train pipelines/churn.yaml: load, tune, fit, evaluate, push");
    expect(train.filter((line) => /^tuning: trial \d+\/8 #\d+ score \d\.\d{4} /.test(line))).toHaveLength(8);
    expect(train.some((line) => /INFO.*loaded \d+ training and \d+ holdout rows/.test(line))).toBe(true);
    expect(train.some((line) => /INFO.*pushed churn_small:v1@sha256:/.test(line))).toBe(true);
    expect(run.stdout).toContain("::group::report churn_small: job summary and PR comment");
    const visible = ungroupedLines(run.stdout).join("\n");
    expect(visible).toMatch(
      /metrics on the holdout:\n {2}metric +model +baseline\n {2}\S+ +\d\.\d{4} +\d\.\d{4}/,
    );
    expect(visible).toContain("gates: passed");

    const drift = await runAction({ workspace, inputs: { ...inputs, command: "drift" }, eventName: "push" });
    expect(drift.code, drift.stdout + drift.stderr).toBe(0);
    expect(groupLines(drift.stdout, "drift pipelines/churn.yaml")).toContain("production: serves nothing");
  }, 300_000);
});
