/**
 * One value rule for training and serving, through the built CLI and the
 * real server: a model trained on a CSV whose category column is written
 * `1.0`/`2.0` answers the same for `"1.0"`, `"1"` and `1`; `""` and a
 * missing-value token are missing in a request as in the training file;
 * a numeric `"NA"` is read as missing, as the loader reads it.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createRandom } from "../../src/common/random.js";
import { createGitRepo } from "../helpers/fake-github-git.js";
import { runCli, startServerProcess, type ServerProcess } from "../helpers/processes.js";
import { environmentYaml } from "./model-fixture.js";

let server: ServerProcess;

/** Rows where the plan decides the label and `x` adds noise; some cells are missing ("" and NA). */
function buildCsv(): string {
  const random = createRandom(3);
  const lines = ["x,plan,churn"];
  for (let i = 0; i < 400; i++) {
    const plan = i % 2 === 0 ? "1.0" : "2.0";
    const churn = (plan === "2.0") === random.next() < 0.9 ? 1 : 0;
    const x = i % 17 === 0 ? "NA" : (random.next() * 2 - 1).toFixed(3);
    lines.push(`${x},${i % 23 === 0 ? "" : plan},${churn}`);
  }
  return `${lines.join("\n")}\n`;
}

beforeAll(async () => {
  const root = await createGitRepo({
    "data.csv": buildCsv(),
    "p.yaml": `name: plans
data_processing:
  data_source: { type: csv, path: data.csv }
  feature_engineering:
    numeric_features: [x]
    categorical_features: [plan]
model_training:
  model_type: logistic_regression
  target_column: churn
`,
  });
  const registry = await mkdtemp(join(tmpdir(), "mc-value-rules-"));
  const trained = await runCli(["train", "p.yaml", "--json", "--registry", registry], {
    cwd: root,
    timeoutMs: 120_000,
  });
  expect(trained.code, trained.stderr).toBe(0);
  const pinned = (JSON.parse(trained.stdout) as { model: { pinned_ref: string } }).model.pinned_ref;
  const env = join(root, "staging.yaml");
  await writeFile(env, environmentYaml({ model: "plans", registry, stable: pinned }));
  server = await startServerProcess(["--env", env, "--root", root]);
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

async function predict(instance: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${server.url}/v1/models/plans:predict`, {
    method: "POST",
    body: JSON.stringify({ instances: [instance] }),
  });
  return { status: response.status, body: await response.json() };
}

it('reads "1.0", "1", 1 and " 1 " as the category trained from 1.0, unlike "2"', async () => {
  const answers = await Promise.all(["1.0", "1", 1, " 1 ", "2"].map((plan) => predict({ x: 0.2, plan })));

  for (const answer of answers) expect(answer.status).toBe(200);
  const [fromText, ...same] = answers.slice(0, 4).map((a) => a.body);
  for (const body of same) expect(body).toEqual(fromText);
  expect(answers[4]!.body).not.toEqual(fromText);
});

it('reads "" and the token "NA" in a category as missing, like null', async () => {
  const missing = await predict({ x: 0.2, plan: null });
  const empty = await predict({ x: 0.2, plan: "" });
  const token = await predict({ x: 0.2, plan: "NA" });

  expect(empty).toEqual(missing);
  expect(token).toEqual(missing);
});

it('reads a numeric "NA" as missing and "0.2" as 0.2, and still refuses other text naming the field', async () => {
  const asNull = await predict({ x: null, plan: "1" });
  const asToken = await predict({ x: "NA", plan: "1" });
  const asText = await predict({ x: "0.2", plan: "1" });
  const asNumber = await predict({ x: 0.2, plan: "1" });
  const typo = await predict({ x: "five", plan: "1" });

  expect(asToken).toEqual(asNull);
  expect(asText).toEqual(asNumber);
  expect(typo.status).toBe(400);
  expect(JSON.stringify(typo.body)).toContain(
    "instances[0].x: expected a number, null or a missing-value token",
  );
});
