/**
 * `model_training.positive_class`, through the built CLI and the Action
 * entry: the named class is the one the binary metrics score, and every
 * report says which class is positive — the text summary, `--json`, the
 * model card and the Action's job summary. A class that is not a label is
 * refused, naming the labels.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createGitRepo } from "../helpers/fake-github-git.js";
import { churnPipeline, readChurnLines } from "../helpers/churn-pipeline.js";
import { runCli } from "../helpers/processes.js";
import { runAction } from "../action/action-harness.js";

let data: string;

function pipeline(positive: string): string {
  return churnPipeline({
    name: "renewals",
    modelType: "logistic_regression",
    target: "status",
    numeric: "age, tenure, monthly_charges",
    categorical: "contract",
    training: positive,
  });
}

interface TrainJson {
  classes: string[];
  positive_class: string | null;
  metrics: Record<string, number>;
  confusion_matrix: number[][];
}

async function train(positive: string, args: readonly string[] = ["--json", "--no-push"]) {
  const root = await createGitRepo({ "p.yaml": pipeline(positive), "data.csv": data });
  const run = await runCli(["train", "p.yaml", ...args], { cwd: root, timeoutMs: 120_000 });
  return { root, run };
}

beforeAll(async () => {
  // The churn flag as words: 1 → lapsed, 0 → renewed; "renewed" sorts last.
  const lines = await readChurnLines(1000);
  data = `${[
    lines[0]!.replace(/churn$/, "status"),
    ...lines.slice(1).map((l) => l.replace(/,1$/, ",lapsed").replace(/,0$/, ",renewed")),
  ].join("\n")}\n`;
});

describe("positive_class", () => {
  it("defaults to the label that sorts last, and scores the named class when given", async () => {
    const byDefault = JSON.parse((await train("")).run.stdout) as TrainJson;
    const lapsed = await train("  positive_class: lapsed\n");
    expect(lapsed.run.code, lapsed.run.stderr).toBe(0);
    const named = JSON.parse(lapsed.run.stdout) as TrainJson;

    expect(byDefault.positive_class).toBe("renewed");
    expect(byDefault.classes).toEqual(["lapsed", "renewed"]);
    expect(named.positive_class).toBe("lapsed");
    expect(named.classes).toEqual(["renewed", "lapsed"]);
    // Recall of the positive class from the confusion matrix (true classes as rows).
    const [, [missed, caught]] = named.confusion_matrix as [number[], [number, number]];
    expect(named.metrics.recall).toBeCloseTo(caught / (caught + missed), 12);
    expect(named.metrics.recall).not.toBeCloseTo(byDefault.metrics.recall!, 6);
  }, 300_000);

  it("shows the positive class in the text summary and on the card", async () => {
    const { root, run } = await train("  positive_class: lapsed\n", ["--registry", "reg"]);
    expect(run.code, run.stderr).toBe(0);
    const inspected = await runCli(["registry", "inspect", "renewals:v1", "--registry", "reg", "--json"], {
      cwd: root,
    });

    expect(run.stdout).toContain("positive class: lapsed");
    const card = (JSON.parse(inspected.stdout) as { card: { classes: string[]; positive_class: string } })
      .card;
    expect(card.classes).toEqual(["renewed", "lapsed"]);
    expect(card.positive_class).toBe("lapsed");
  }, 300_000);

  it("shows the positive class in the Action's job summary", async () => {
    const workspace = await createGitRepo({
      "pipelines/renewals.yaml": pipeline("  positive_class: lapsed\n"),
      "data.csv": data,
    });

    const run = await runAction({
      workspace,
      inputs: {
        "changed-only": "false",
        comment: "false",
        registry: await mkdtemp(join(tmpdir(), "mc-positive-")),
      },
    });

    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatch(/\| positive class \| lapsed \|/);
  }, 300_000);

  it("refuses a class that is not a label, naming the labels", async () => {
    const { run } = await train("  positive_class: lapsd\n");

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'target column "status": model_training.positive_class "lapsd" is not one of the target\'s labels ("lapsed", "renewed")',
    );
  });
});
