/**
 * The library facade, one block per method, over the real use cases: a real
 * training run into a local registry, environment edits on disk checked
 * against hand-written expectations, history read from a real git
 * repository, a deploy PR opened on the fake GitHub (a real git repo behind
 * GitHub's REST API), health from a loopback server, and the model server
 * started in-process.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, UsageError } from "../../src/common/errors.js";
import { createOctokitClass } from "../../src/github/octokit-class.js";
import { createRepoPorts, type OctokitLike } from "../../src/github/rest-ports.js";
import { CONTEXT_DIM } from "../../src/decision/context.js";
import { DECISION_LOG_VERSION } from "../../src/decision/decision-log.js";
import { MetaController, type PipelineSpec } from "../../src/index.js";
import { createGitRepo } from "../helpers/fake-github-git.js";
import { startFakeGitHub } from "../helpers/fake-github.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
// Data paths stay inside the repository root: the example data is copied into each temp checkout.
const DATA = "data/customer_data.csv";
const run = promisify(execFile);

const PIPELINE = `name: churn_lib
data_processing:
  data_source: {type: csv, path: ${DATA}}
  feature_engineering:
    numeric_features: [age, tenure, monthly_charges]
    categorical_features: [gender, partner]
model_training:
  model_type: logistic_regression
  target_column: churn
  test_size: 0.25
  seed: 7
`;

const D1 = `sha256:${"1".repeat(64)}`;
const D2 = `sha256:${"2".repeat(64)}`;

function environment(stable: string | null, candidate: string | null = null, quarantine = "[]"): string {
  return `# Staging, as a person wrote it.
name: staging
model: churn_lib
stable: ${stable ?? "null"} # serving now
candidate: ${candidate ?? "null"}
strategy:
  type: canary
  steps: [50, 100]
  interval: 1s
quarantine: ${quarantine}
`;
}

async function git(dir: string, args: string[]): Promise<void> {
  await run("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: dir });
}

describe("MetaController", () => {
  let dir: string;
  let controller: MetaController;
  let pinned: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "mc-library-"));
    await cp(join(REPO, DATA), join(dir, DATA));
    await mkdir(join(dir, "pipelines"));
    await mkdir(join(dir, "environments"));
    await writeFile(join(dir, "pipelines", "churn.yaml"), PIPELINE);
    await writeFile(
      join(dir, "pipelines", "broken.yaml"),
      PIPELINE.replace("test_size: 0.25", "test_size: 7"),
    );
    controller = new MetaController({ root: dir, registry: join(dir, "registry") });
    const id = await controller.registerPipeline("pipelines/churn.yaml");
    const status = await controller.waitForRun(controller.triggerPipeline(id));
    if (status.modelRef === undefined) throw new Error(`training failed: ${JSON.stringify(status)}`);
    pinned = status.modelRef;
  }, 60_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe("registerPipeline", () => {
    it("returns the path as id for a file and the name for a config object", async () => {
      // Arrange
      const spec = { ...(await import("yaml")).parse(PIPELINE), name: "churn_object" } as PipelineSpec;

      // Act
      const fromFile = await controller.registerPipeline("pipelines/churn.yaml");
      const fromObject = await controller.registerPipeline(spec);

      // Assert
      expect([fromFile, fromObject]).toEqual(["pipelines/churn.yaml", "churn_object"]);
    });

    it.each([
      [
        "a file with a bad field, naming its line",
        "pipelines/broken.yaml",
        ConfigError,
        /broken\.yaml:\d+:\d+/,
      ],
      ["an object missing its data", { name: "x" }, UsageError, /pipeline config: data_processing/],
    ])("refuses %s", async (_case, config, type, message) => {
      // Act
      const attempt = controller.registerPipeline(config as PipelineSpec | string);

      // Assert
      await expect(attempt).rejects.toThrow(type);
      await expect(controller.registerPipeline(config as PipelineSpec | string)).rejects.toThrow(message);
    });
  });

  describe("triggerPipeline and getRunStatus", () => {
    it("runs the real training, pushes to the registry and reports metrics and the pinned reference", () => {
      // Assert (the run of beforeAll)
      const status = controller.getRunStatus("run-1");
      expect(status.state).toBe("succeeded");
      expect(status.modelRef).toMatch(/^churn_lib:v1@sha256:[a-f0-9]{64}$/);
      expect(status.metrics?.roc_auc).toBeGreaterThan(0.5);
      expect(status.gatesPassed).toBe(true);
    });

    it("reports running at once, then failed with the error of a run whose data is missing", async () => {
      // Arrange
      await writeFile(join(dir, "pipelines", "missing.yaml"), PIPELINE.replace(DATA, join(dir, "nope.csv")));
      const id = await controller.registerPipeline("pipelines/missing.yaml").catch(() => "unloadable");
      if (id === "unloadable") return expect.fail("the pipeline file itself is valid");

      // Act
      const runId = controller.triggerPipeline(id, { push: false });
      const first = controller.getRunStatus(runId);
      const last = await controller.waitForRun(runId);

      // Assert
      expect(first.state).toBe("running");
      expect(last.state).toBe("failed");
      expect(last.error).toContain("nope.csv");
    });

    it.each([
      [
        "an unregistered pipeline",
        () => controller.triggerPipeline("pipelines/other.yaml"),
        /not registered/,
      ],
      ["an unknown run", () => controller.getRunStatus("run-999"), /run "run-999" does not exist/],
    ])("refuses %s", (_case, act, message) => {
      expect(act).toThrow(message);
    });
  });

  describe("deployModel (local file)", () => {
    it("pins a tag to its digest and sets the candidate, keeping the comments", async () => {
      // Arrange
      await writeFile(join(dir, "environments", "staging.yaml"), environment(null));
      const tag = pinned.split("@")[0]!;

      // Act
      const change = await controller.deployModel(tag, "staging", { strategy: "canary" });

      // Assert
      const text = await readFile(join(dir, "environments", "staging.yaml"), "utf8");
      expect(change.via).toBe("file");
      expect(text).toBe(environment(null, pinned));
    });

    it("replaces stable at once with the simple strategy", async () => {
      // Arrange
      await writeFile(join(dir, "environments", "staging.yaml"), environment(null));

      // Act
      await controller.deployModel(pinned, "staging", { strategy: "simple" });

      // Assert
      const text = await readFile(join(dir, "environments", "staging.yaml"), "utf8");
      expect(text).toBe(environment(pinned).replace("type: canary", "type: simple"));
    });

    it.each([
      ["a reference without tag or digest", "churn_lib", "staging", /neither a tag nor a digest/],
      [
        "an environment without a file",
        "churn_lib:v1",
        "production",
        /there is no `environments\/production\.yaml`/,
      ],
      ["a bad environment name", "churn_lib:v1", "../etc", /not an environment name/],
    ])("refuses %s", async (_case, ref, env, message) => {
      await expect(controller.deployModel(ref, env)).rejects.toThrow(message);
    });
  });

  describe("rollback (local file)", () => {
    it("aborts a candidate: cleared and quarantined", async () => {
      // Arrange
      await writeFile(
        join(dir, "environments", "staging.yaml"),
        environment(`churn_lib:v1@${D1}`, `churn_lib:v2@${D2}`),
      );

      // Act
      await controller.rollback("staging");

      // Assert
      const text = await readFile(join(dir, "environments", "staging.yaml"), "utf8");
      expect(text).toBe(environment(`churn_lib:v1@${D1}`, null, `[${D2}]`));
    });

    it("replaces a bad stable with the last good one from git history", async () => {
      // Arrange: a checkout where v1 was stable, then v2
      const repo = await mkdtemp(join(tmpdir(), "mc-library-git-"));
      await mkdir(join(repo, "environments"));
      await git(repo, ["init", "-q", "-b", "main"]);
      for (const stable of [`churn_lib:v1@${D1}`, `churn_lib:v2@${D2}`]) {
        await writeFile(join(repo, "environments", "staging.yaml"), environment(stable));
        await git(repo, ["add", "-A"]);
        await git(repo, ["commit", "-q", "-m", stable]);
      }
      const local = new MetaController({ root: repo, registry: join(repo, "registry") });

      // Act
      await local.rollback("staging");

      // Assert
      const text = await readFile(join(repo, "environments", "staging.yaml"), "utf8");
      expect(text).toBe(environment(`churn_lib:v1@${D1}`, null, `[${D2}]`));
      await rm(repo, { recursive: true, force: true });
    });

    it("refuses when history has no earlier good stable", async () => {
      // Arrange
      await writeFile(join(dir, "environments", "staging.yaml"), environment(`churn_lib:v2@${D2}`));
      const local = new MetaController({
        root: dir,
        registry: join(dir, "registry"),
      });

      // Act / Assert
      await expect(local.rollback("staging")).rejects.toThrow(/no earlier good stable model/);
    });
  });

  describe("deployModel and rollback through GitHub", () => {
    it("opens the deploy PR whose branch carries the edit, then the abort PR", async () => {
      // Arrange
      const repoDir = await createGitRepo({ "environments/staging.yaml": environment(`churn_lib:v1@${D1}`) });
      const fake = await startFakeGitHub({ repoDir, autoMerge: "merge", installationId: 7 });
      const issued = await fetch(`${fake.apiUrl}/app/installations/7/access_tokens`, {
        method: "POST",
        headers: { authorization: "Bearer a.b.c" },
      });
      const { token } = (await issued.json()) as { token: string };
      const Octokit = createOctokitClass({ retries: 0, spaceWrites: false });
      const octokit = new Octokit({ auth: { token }, baseUrl: fake.apiUrl }) as unknown as OctokitLike;
      const remote = new MetaController({
        root: dir,
        registry: join(dir, "registry"),
        github: { ports: createRepoPorts(octokit, { owner: "acme", repo: "models" }) },
      });

      try {
        // Act
        const deploy = await remote.deployModel(pinned, "staging");
        const afterDeploy = await fake.readFile(fake.pulls[0]!.head, "environments/staging.yaml");

        // Assert
        expect(deploy.via).toBe("pull_request");
        expect(fake.pulls).toHaveLength(1);
        expect(afterDeploy).toBe(environment(`churn_lib:v1@${D1}`, pinned));
        const abort = await remote.rollback("staging");
        expect(abort.via).toBe("pull_request");
        expect(await fake.readFile("main", "environments/staging.yaml")).toBe(
          environment(`churn_lib:v1@${D1}`, null, `[${pinned.split("@")[1]!}]`),
        );
        expect(fake.unexpected).toEqual([]);
      } finally {
        await fake.close();
        await rm(repoDir, { recursive: true, force: true });
      }
    });
  });

  describe("getSystemHealth", () => {
    let server: Server;
    let url: string;

    beforeAll(async () => {
      server = createServer((req, res) => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ environment: "staging", state: "idle", path: req.url }));
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it("lists environments (a broken one with its error), each server's answer, and the registry", async () => {
      // Arrange
      await writeFile(join(dir, "environments", "staging.yaml"), environment(pinned));
      await writeFile(join(dir, "environments", "broken.yaml"), "name: broken\nmodel: 7\n");
      const health = new MetaController({
        root: dir,
        registry: join(dir, "registry"),
        serverUrls: [url, "http://127.0.0.1:1"],
      });

      // Act
      const result = await health.getSystemHealth();

      // Assert
      expect(result.environments.map((e) => [e.name, e.ok])).toEqual([
        ["broken", false],
        ["staging", true],
      ]);
      expect(result.environments[0]).toMatchObject({
        error: expect.stringMatching(/broken\.yaml:2:8/) as unknown,
      });
      expect(result.environments[1]).toMatchObject({ stable: pinned, candidate: null, strategy: "canary" });
      expect(result.serving[0]).toMatchObject({ ok: true, rollout: { path: "/v1/rollout" } });
      expect(result.serving[1]?.ok).toBe(false);
      expect(result.registry).toMatchObject({ reachable: true, models: 1 });
      expect(result.lastIncidents).toEqual([]);
      await rm(join(dir, "environments", "broken.yaml"));
    });
  });

  describe("getSystemHealth with the decision log of the state branch", () => {
    const decision = (id: string, at: string, action: "rollback" | "notify") =>
      JSON.stringify({
        v: DECISION_LOG_VERSION,
        type: "decision",
        id,
        at,
        fingerprint: `fp-${id}`,
        environment: "production",
        model: "churn",
        kind: "error_rate",
        severity: "critical",
        context: new Array<number>(CONTEXT_DIM).fill(0),
        mask: ["ignore", "notify", "rollback"],
        baseline_action: action,
        baseline_estimate: null,
        action,
        propensity: 1,
        reason_code: action === "rollback" ? "critical_after_deploy" : "warning_notify",
        policy_version: "guardrails",
        advice: null,
      });

    it("reads a folder of month shards in log order, newest decision first", async () => {
      // Arrange: a checkout of meta-controller/state, two months, the second in two parts.
      const state = join(dir, "state", "decisions");
      await mkdir(state, { recursive: true });
      await writeFile(join(state, "2026-10.jsonl"), `${decision("a", "2026-10-30T10:00:00Z", "rollback")}\n`);
      await writeFile(join(state, "2026-11.jsonl"), `${decision("b", "2026-11-02T10:00:00Z", "notify")}\n`);
      await writeFile(
        join(state, "2026-11_01.jsonl"),
        `${decision("c", "2026-11-20T10:00:00Z", "rollback")}\n`,
      );
      const health = new MetaController({ root: dir, registry: join(dir, "registry"), decisionLog: state });

      // Act
      const result = await health.getSystemHealth();

      // Assert
      expect(result.lastIncidents.map((i) => [i.id, i.action])).toEqual([
        ["c", "rollback"],
        ["b", "notify"],
        ["a", "rollback"],
      ]);
    });
  });

  describe("start", () => {
    it("serves the environment's stable model in this process until closed", async () => {
      // Arrange
      await writeFile(join(dir, "environments", "staging.yaml"), environment(pinned));

      // Act
      const running = await controller.start({ environment: "environments/staging.yaml", port: 0 });
      try {
        const ready = await fetch(`${running.server.url}/v2/health/ready`);
        const rollout = await (await fetch(`${running.server.url}/v1/rollout`)).json();

        // Assert
        expect(ready.status).toBe(200);
        expect(JSON.stringify(rollout)).toContain(pinned.split("@")[1]!);
        expect(running.bot).toBeUndefined();
      } finally {
        await running.close();
      }
    });
  });
});
