/**
 * The build flow's artifact end to end, through the CLI a user runs: train
 * pushes ONNX + card, `registry pull` gives back a model onnxruntime-node
 * runs, `evaluate` reproduces the card's metrics exactly, a relative gate
 * pulls and evaluates the champion — against the local layout and against
 * Debian's docker-registry on loopback, which skopeo reads too.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOnnxSession, describeOnnxInputs } from "../../src/onnx/index.js";
import {
  dockerRegistryMissing,
  skopeoMissing,
  startDockerRegistry,
  type RunningRegistry,
} from "../helpers/docker-registry.js";
import { runCli } from "../helpers/processes.js";

const run = promisify(execFile);
const REPO = fileURLToPath(new URL("../..", import.meta.url));

const PIPELINE = `name: churn_gbdt
data_processing:
  data_source: {type: csv, path: data/customer_data.csv}
  feature_engineering:
    numeric_features: [age, tenure, monthly_charges]
    categorical_features: [gender, partner, contract]
model_training:
  model_type: gradient_boosting
  target_column: churn
  params: {n_estimators: 25, max_leaf_nodes: 15}
evaluation:
  gates:
    - {metric: roc_auc, min: 0.7}
    - {metric: roc_auc, compare_to: production, max_regression: 0.05}
`;

const PRODUCTION = (stable: string) => `name: production
model: churn_gbdt
stable: ${stable}
`;

interface TrainJson {
  model: { ref?: string; digest?: string; pinned_ref?: string; tags?: string[] };
  metrics: Record<string, number>;
  gates: {
    passed: boolean;
    results: { metric: string; champion_ref?: string; champion_value?: number; message: string }[];
  };
  parity: { rows: number; max_difference: number };
}

async function makeRepo(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "mc-artifact-"));
  await mkdir(join(root, "pipelines"));
  await mkdir(join(root, "environments"));
  await cp(join(REPO, "data"), join(root, "data"), { recursive: true });
  await writeFile(join(root, "pipelines", "churn.yaml"), PIPELINE);
  await writeFile(join(root, "environments", "production.yaml"), PRODUCTION("null"));
  const git = (...args: string[]) => run("git", args, { cwd: root });
  await git("init", "-q");
  await git("add", "-A");
  await git("-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit", "-qm", "init");
  return root;
}

function train(root: string, registryArgs: string[]) {
  return runCli(["train", "pipelines/churn.yaml", "--json", "--threads", "2", ...registryArgs], {
    cwd: root,
    timeoutMs: 300_000,
  });
}

describe.each([
  ["the local registry", false],
  ["docker-registry on loopback", true],
])("train → push → pull → evaluate with %s", (_name, remote) => {
  let root: string;
  let registry: RunningRegistry | undefined;
  let registryArgs: string[] = [];
  const skip = remote ? (dockerRegistryMissing() ?? skopeoMissing()) : undefined;

  beforeAll(async () => {
    if (skip) return;
    root = await makeRepo();
    if (remote) {
      registry = await startDockerRegistry();
      registryArgs = ["--registry", `oci://${registry.host}/models`, "--insecure"];
    }
  });

  afterAll(async () => {
    await registry?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it.skipIf(skip !== undefined)(
    "pushes v1, serves it as a champion, and pushes v2 after comparing",
    async () => {
      const first = await train(root, registryArgs);
      expect(first.code, first.stderr).toBe(0);
      const v1 = JSON.parse(first.stdout) as TrainJson;
      const head = (await run("git", ["rev-parse", "--short=7", "HEAD"], { cwd: root })).stdout.trim();
      expect(v1.model.ref).toBe("churn_gbdt:v1");
      expect(v1.model.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
      expect(v1.model.tags).toEqual(["v1", head]);
      expect(v1.parity.rows).toBe(1000);
      expect(v1.parity.max_difference).toBeLessThan(1e-5);
      expect(v1.gates.results[1]!.message).toBe(
        "production serves no model yet; nothing to compare roc_auc with",
      );

      // Pull writes a model onnxruntime-node runs, with one input per raw column.
      const out = join(root, "pulled");
      const pull = await runCli(["registry", "pull", "churn_gbdt:v1", "--out", out, ...registryArgs], {
        cwd: root,
      });
      expect(pull.code, pull.stderr).toBe(0);
      const onnx = new Uint8Array(await readFile(join(out, "model.onnx")));
      const inputs = await describeOnnxInputs(onnx);
      expect(inputs.map((i) => `${i.name}:${i.elementType}`)).toEqual([
        "age:float",
        "tenure:float",
        "monthly_charges:float",
        "gender:string",
        "partner:string",
        "contract:string",
      ]);
      const session = await createOnnxSession(onnx, { source: "pulled" });
      await session.release();
      const card = JSON.parse(await readFile(join(out, "model-card.json"), "utf8")) as {
        metrics: Record<string, number>;
      };
      expect(card.metrics).toEqual(v1.metrics);

      // Evaluate on the card's own holdout reproduces its metrics exactly.
      const evaluate = await runCli(["evaluate", "churn_gbdt:v1", "--json", ...registryArgs], { cwd: root });
      expect(evaluate.code, evaluate.stderr).toBe(0);
      const evaluated = JSON.parse(evaluate.stdout) as {
        metrics: Record<string, number>;
        matches_card: boolean;
        rows: number;
      };
      expect(evaluated.rows).toBe(1000);
      expect(evaluated.metrics).toEqual(card.metrics);
      expect(evaluated.matches_card).toBe(true);

      // v1 becomes production's champion; v2 is compared with it on the same holdout.
      await writeFile(
        join(root, "environments", "production.yaml"),
        PRODUCTION(`churn_gbdt:v1@${v1.model.digest!}`),
      );
      const second = await train(root, registryArgs);
      expect(second.code, second.stderr).toBe(0);
      const v2 = JSON.parse(second.stdout) as TrainJson;
      expect(v2.model.ref).toBe("churn_gbdt:v2");
      const relative = v2.gates.results[1]!;
      expect(relative.champion_ref).toBe(`churn_gbdt:v1@${v1.model.digest!}`);
      // Same data, params and seed: the champion scores exactly what v1 scored.
      expect(relative.champion_value).toBe(v1.metrics.roc_auc);

      if (remote) {
        const inspect = await run(skopeoMissing() ? "false" : "/usr/bin/skopeo", [
          "inspect",
          "--raw",
          "--tls-verify=false",
          `docker://${registry!.host}/models/churn_gbdt:v2`,
        ]);
        const manifest = JSON.parse(inspect.stdout) as {
          artifactType: string;
          layers: { mediaType: string }[];
        };
        expect(manifest.artifactType).toBe("application/vnd.cncf.model.manifest.v1+json");
        expect(manifest.layers.map((l) => l.mediaType)).toContain("application/vnd.cncf.model.weight.v1.raw");
      } else {
        const inspect = await run("/usr/bin/skopeo", [
          "inspect",
          "--raw",
          `oci:${join(root, ".meta-controller/registry/churn_gbdt")}:v2`,
        ]).catch((error: Error) => ({ stdout: "", stderr: error.message }));
        if (!skopeoMissing())
          expect(JSON.parse(inspect.stdout)).toMatchObject({
            artifactType: "application/vnd.cncf.model.manifest.v1+json",
          });
      }
    },
    600_000,
  );
});

describe("evaluate refuses a holdout whose data changed", () => {
  it("names the file and the pinned hash", async () => {
    const root = await makeRepo();
    try {
      const first = await train(root, []);
      expect(first.code, first.stderr).toBe(0);
      const csv = join(root, "data", "customer_data.csv");
      await writeFile(csv, (await readFile(csv, "utf8")).replace("C100000,", "C100000x,"));

      const evaluate = await runCli(["evaluate", "churn_gbdt:v1"], { cwd: root });

      expect(evaluate.code).toBe(1);
      expect(evaluate.stderr).toMatch(
        /data\/customer_data\.csv changed since the model was trained \(sha256 [0-9a-f]{12}…, the card pins [0-9a-f]{12}…\)/,
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 300_000);
});
