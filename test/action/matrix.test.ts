/**
 * Matrix tuning through the Action: four shards (as four matrix jobs), then
 * a run with merge-trials, against one unsharded run with the same seed.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createWorkspace, pipelineYaml, runAction, type ActionRun } from "./action-harness.js";

function bestParams(run: ActionRun): unknown {
  const match = /best roc_auc [\d.]+ with `(\{[^`]*\})`/.exec(run.summary);
  if (!match) throw new Error(`no tuning line in the summary:\n${run.summary}`);
  return JSON.parse(match[1]!);
}

describe("matrix tuning", () => {
  it("merging four shards picks the same best parameters as one unsharded run with the same seed", async () => {
    // Arrange
    const pipeline = pipelineYaml({
      name: "churn_small",
      tuning: true,
      gates: "    - { metric: roc_auc, min: 0.6 }",
    });
    const sharded = await createWorkspace({ "pipelines/churn.yaml": pipeline });
    const whole = await createWorkspace({ "pipelines/churn.yaml": pipeline });
    const inputs = { "changed-only": "false", comment: "false" };

    // Act: four matrix jobs, then the merge job, and the reference run
    const shards = await Promise.all(
      [1, 2, 3, 4].map(async (i) =>
        runAction({
          workspace: sharded,
          inputs: { ...inputs, shard: `${i}/4`, registry: await mkdtemp(join(tmpdir(), "mc-shard-")) },
        }),
      ),
    );
    const registry = await mkdtemp(join(tmpdir(), "mc-merge-"));
    const merged = await runAction({
      workspace: sharded,
      inputs: { ...inputs, registry, "merge-trials": "meta-controller-trials/*.jsonl" },
    });
    const reference = await runAction({
      workspace: whole,
      inputs: { ...inputs, registry: await mkdtemp(join(tmpdir(), "mc-whole-")) },
    });

    // Assert
    for (const [i, shard] of shards.entries()) {
      expect(shard.code).toBe(0);
      expect(shard.outputs).toEqual({ report: expect.stringMatching(/shard-\d-of-4\.md$/) as unknown });
      expect(shard.summary).toContain(`tuning shard ${i + 1}/4`);
      expect(shard.summary).toContain(`2 trials written to`);
    }
    expect(merged.code).toBe(0);
    expect(merged.summary).toContain("8 trials");
    expect(merged.summary).toContain("(merged shards 1, 2, 3, 4)");
    expect(merged.outputs["model-ref"]).toMatch(/^churn_small:v1@sha256:/);
    expect(reference.code).toBe(0);
    expect(bestParams(merged)).toEqual(bestParams(reference));
    expect(merged.outputs.metrics).toBe(reference.outputs.metrics);
  }, 300_000);
});
