/**
 * What a sharded study reproduces, through the built CLI: for `grid` and
 * `random` the shards' trials together are the unsharded study's, so the
 * merge picks the same parameters; `tpe` runs one TPE per shard, which is
 * reproducible for the same seed and shard count but is not the unsharded
 * study. The merge takes an absolute glob.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createGitRepo } from "../helpers/fake-github-git.js";
import { churnPipeline, readChurnCsv, readTrialLines } from "../helpers/churn-pipeline.js";
import { runCli } from "../helpers/processes.js";

let data: string;

interface TrialLine {
  number: number;
  params: Record<string, unknown>;
}

const SPACES = {
  grid: "  param_grid:\n    C: [0.01, 0.1, 1, 10]\n    max_iter: [50, 100]\n",
  random: "  distributions:\n    C: { type: float, low: 0.001, high: 10, log: true }\n",
  tpe: "  distributions:\n    C: { type: float, low: 0.001, high: 10, log: true }\n",
} as const;

function pipeline(strategy: keyof typeof SPACES): string {
  return churnPipeline({
    name: `churn_${strategy}`,
    modelType: "logistic_regression",
    numeric: "age, tenure, monthly_charges",
    categorical: "gender, partner, contract",
    rest: `enable_hyperparameter_tuning: true
hyperparameter_tuning:
  strategy: ${strategy}
  n_trials: 6
  cv_folds: 2
  metric: roc_auc
${SPACES[strategy]}`,
  });
}

async function train(root: string, args: readonly string[]): Promise<Record<string, unknown>> {
  const run = await runCli(["train", "p.yaml", "--json", "--no-push", "--threads", "1", ...args], {
    cwd: root,
    timeoutMs: 240_000,
  });
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

async function readTrials(path: string): Promise<Map<number, Record<string, unknown>>> {
  const trials = await readTrialLines<TrialLine>(path);
  return new Map(trials.map((t) => [t.number, t.params]));
}

/** Runs the study unsharded and as two shards merged through an absolute glob. */
async function runStudy(strategy: keyof typeof SPACES) {
  const root = await createGitRepo({ "p.yaml": pipeline(strategy), "data.csv": data });
  const whole = await train(root, ["--trials-out", join(root, "whole.jsonl")]);
  for (const i of [1, 2])
    await train(root, ["--shard", `${i}/2`, "--trials-out", join(root, "trials", `s${i}.jsonl`)]);
  const merged = await train(root, ["--merge-trials", join(root, "trials", "*.jsonl")]);
  const shardTrials = new Map([
    ...(await readTrials(join(root, "trials", "s1.jsonl"))),
    ...(await readTrials(join(root, "trials", "s2.jsonl"))),
  ]);
  return { root, whole, merged, wholeTrials: await readTrials(join(root, "whole.jsonl")), shardTrials };
}

beforeAll(async () => {
  // The first 600 rows keep each run short.
  data = await readChurnCsv(600);
});

describe("sharded tuning through the CLI", () => {
  it.each(["grid", "random"] as const)(
    "%s: the shards' trials are the unsharded study's, and the merge picks its parameters",
    async (strategy) => {
      const study = await runStudy(strategy);

      expect(study.shardTrials.size).toBe(study.wholeTrials.size);
      expect(study.shardTrials).toEqual(study.wholeTrials);
      const best = (doc: Record<string, unknown>) => (doc.tuning as { best_params: unknown }).best_params;
      expect(best(study.merged)).toEqual(best(study.whole));
      expect(study.merged.metrics).toEqual(study.whole.metrics);
    },
    300_000,
  );

  it("tpe: each shard runs its own TPE, reproducible for the same seed and shard count, not the unsharded study", async () => {
    const study = await runStudy("tpe");
    await train(study.root, ["--shard", "1/2", "--trials-out", join(study.root, "again.jsonl")]);
    const again = await readTrials(join(study.root, "again.jsonl"));

    expect(study.shardTrials.size).toBe(6);
    expect((study.merged.tuning as { trials: number }).trials).toBe(6);
    for (const [number, params] of again) expect(study.shardTrials.get(number)).toEqual(params);
    const same = [...study.shardTrials].filter(
      ([n, p]) => JSON.stringify(study.wholeTrials.get(n)) === JSON.stringify(p),
    );
    expect(same).toEqual([]);
  }, 300_000);
});
