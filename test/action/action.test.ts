/**
 * The Action end to end, run as the runner runs it (a child process), against
 * a fake GitHub on loopback and a registry in a temp folder.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseReportMarkers } from "../../src/github/report-marker.js";
import { dockerRegistryMissing, startDockerRegistry } from "../helpers/docker-registry.js";
import { git } from "../helpers/fake-github-git.js";
import { startFakeGitHub, type FakeGitHub } from "../helpers/fake-github.js";
import {
  createWorkspace,
  environmentYaml,
  issueToken,
  pipelineYaml,
  pullRequestPayload,
  runAction,
} from "./action-harness.js";

const SLOW = 240_000;

async function findClosedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}
let fake: FakeGitHub | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setUp(files: Readonly<Record<string, string>>) {
  const workspace = await createWorkspace(files);
  fake = await startFakeGitHub({ repoDir: workspace, commentAuthor: "github-actions[bot]" });
  const token = await issueToken(fake);
  const base = await git(workspace, ["rev-parse", "HEAD"]);
  const registry = await mkdtemp(join(tmpdir(), "mc-action-registry-"));
  return { workspace, fake, token, base, registry };
}

describe("the Action on a pull request", () => {
  it(
    "trains, pushes, writes outputs and a summary with charts, and keeps exactly one PR comment through two runs",
    async () => {
      // Arrange
      const { workspace, fake, token, base, registry } = await setUp({
        "pipelines/churn.yaml": pipelineYaml({ name: "churn_small", tuning: true }),
      });
      const common = {
        workspace,
        token,
        apiUrl: fake.apiUrl,
        payload: pullRequestPayload(base),
        inputs: { registry, "changed-only": "false" },
      };
      const pull = (common.payload.pull_request as { number: number }).number;

      // Act: first run
      const first = await runAction(common);

      // Assert: outputs, summary, one new comment carrying the model reference
      expect(first.stderr + first.stdout).not.toMatch(/::error/);
      expect(first.code).toBe(0);
      expect(first.outputs["model-ref"]).toMatch(/^churn_small:v1@sha256:[a-f0-9]{64}$/);
      expect(first.outputs["model-digest"]).toBe(first.outputs["model-ref"]!.split("@")[1]);
      expect(first.outputs["gates-passed"]).toBe("true");
      const metrics = JSON.parse(first.outputs.metrics!) as Record<string, number>;
      expect(metrics.roc_auc).toBeGreaterThan(0.6);
      expect(first.outputs.report).toMatch(/churn_small\.md$/);
      expect(first.summary.match(/xychart-beta/g)).toHaveLength(4);
      expect(first.summary).toContain("#### Confusion matrix");
      expect(first.summary).toContain("| production | none serving yet | roc_auc |");
      expect(first.summary).toContain("| training rows | 4000 |");
      expect(fake.comments).toHaveLength(1);
      expect(fake.comments[0]!.issue).toBe(pull);
      const markers = parseReportMarkers(fake.comments[0]!.body);
      expect(markers).toEqual([
        expect.objectContaining({
          pipeline: "churn_small",
          ref: first.outputs["model-ref"],
          gatesPassed: true,
        }),
      ]);

      // Act: production now serves v1; the second run compares with it and edits the comment
      await writeFile(
        join(workspace, "environments/production.yaml"),
        environmentYaml(first.outputs["model-ref"]!),
      );
      const second = await runAction(common);

      // Assert: same model (same seed) as v2, champion delta 0, still one comment, edited
      expect(second.code).toBe(0);
      expect(second.outputs["model-ref"]).toMatch(/^churn_small:v2@sha256:/);
      expect(second.summary).toContain(`| production | ${first.outputs["model-ref"]} | roc_auc |`);
      expect(second.summary).toMatch(/\| roc_auc \| (\d\.\d{4}) \| \1 \| 0\.0000 \|/);
      expect(fake.comments).toHaveLength(1);
      expect(fake.callsTo("POST", /\/issues\/\d+\/comments$/)).toHaveLength(1);
      expect(fake.callsTo("PATCH", /\/issues\/comments\/\d+$/)).toHaveLength(1);
      expect(parseReportMarkers(fake.comments[0]!.body)[0]?.ref).toBe(second.outputs["model-ref"]);

      // Act: evaluate re-evaluates what production serves (v1) on its recorded holdout
      const evaluated = await runAction({ ...common, inputs: { ...common.inputs, command: "evaluate" } });

      // Assert: v1's card metrics are reproduced, and evaluate does not comment
      expect(evaluated.code).toBe(0);
      expect(evaluated.outputs["model-ref"]).toBe(first.outputs["model-ref"]);
      expect(JSON.parse(evaluated.outputs.metrics!)).toEqual(metrics);
      expect(evaluated.outputs["gates-passed"]).toBe("true");
      expect(evaluated.summary).toContain("reproduces the card's metrics exactly");

      // Act: drift compares the data file with v1's training profile
      const drift = await runAction({ ...common, inputs: { ...common.inputs, command: "drift" } });

      // Assert: the same file it was trained on has not drifted
      expect(drift.stdout).not.toMatch(/::error/);
      expect(drift.code).toBe(0);
      expect(drift.outputs["model-ref"]).toBe(first.outputs["model-ref"]);
      expect(drift.outputs["gates-passed"]).toBe("true");
      expect(JSON.parse(drift.outputs.metrics!)).toEqual({ drift_share: 0, drifted_columns: 0 });
      expect(drift.summary).toContain("✅ no drift (reference 4000 rows, current 5000)");
      for (const column of ["age", "tenure", "monthly_charges", "gender", "partner", "phone_service"])
        expect(drift.summary).toMatch(
          new RegExp(`^\\| ${column} \\| (numeric|categorical) \\| .* \\| ✅ \\|$`, "m"),
        );
      expect(fake.comments).toHaveLength(1);
      expect(fake.unexpected).toEqual([]);
    },
    SLOW,
  );

  it(
    "fails the step on failed gates, with the gate table in the summary and the comment, and pushes nothing",
    async () => {
      // Arrange
      const { workspace, fake, token, base, registry } = await setUp({
        "pipelines/churn.yaml": pipelineYaml({
          name: "churn_small",
          gates: "    - { metric: roc_auc, min: 0.99 }",
        }),
      });

      // Act
      const run = await runAction({
        workspace,
        token,
        apiUrl: fake.apiUrl,
        payload: pullRequestPayload(base),
        inputs: { registry, "changed-only": "false" },
      });

      // Assert
      expect(run.code).toBe(1);
      expect(run.stdout).toContain("::error::pipeline churn_small failed its gates");
      expect(run.outputs["gates-passed"]).toBe("false");
      expect(run.outputs["model-ref"]).toBe("");
      const gateRow = /\| ❌ \| roc_auc \| 0\.\d{4} \| ≥ 0\.9900 \|/;
      expect(run.summary).toMatch(gateRow);
      expect(fake.comments).toHaveLength(1);
      expect(fake.comments[0]!.body).toMatch(gateRow);
      expect(parseReportMarkers(fake.comments[0]!.body)).toEqual([]);
      expect(fake.unexpected).toEqual([]);
    },
    SLOW,
  );

  it(
    "passes with failed gates when fail-on-gates is false, still reporting them",
    async () => {
      // Arrange
      const { workspace, registry } = await setUp({
        "pipelines/churn.yaml": pipelineYaml({
          name: "churn_small",
          gates: "    - { metric: accuracy, min: 0.99 }",
        }),
      });

      // Act
      const run = await runAction({
        workspace,
        inputs: { registry, "changed-only": "false", "fail-on-gates": "false", comment: "false" },
      });

      // Assert
      expect(run.code).toBe(0);
      expect(run.outputs["gates-passed"]).toBe("false");
      expect(run.summary).toContain("❌ gates failed");
    },
    SLOW,
  );

  it(
    "prints annotations at the file and line of a broken pipeline and fails the step",
    async () => {
      // Arrange: line 8 names a learner that does not exist
      const broken = pipelineYaml({ name: "broken" }).replace(
        "model_type: logistic_regression",
        "model_type: logistic_regresion",
      );
      const { workspace, fake, token, base, registry } = await setUp({ "pipelines/broken.yaml": broken });

      // Act
      const run = await runAction({
        workspace,
        token,
        apiUrl: fake.apiUrl,
        payload: pullRequestPayload(base),
        inputs: { registry, "changed-only": "false" },
      });

      // Assert
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        /^::error title=invalid pipelines\/broken\.yaml,file=pipelines\/broken\.yaml,line=8,col=15::model_training\.model_type: .*did you mean "logistic_regression"/m,
      );
      expect(run.outputs).toEqual({});
      expect(fake.comments).toEqual([]);

      // Act: command validate reports the same problem, and lists the file in the summary
      const validated = await runAction({
        workspace,
        inputs: { command: "validate", "changed-only": "false" },
      });

      // Assert
      expect(validated.code).toBe(1);
      expect(validated.stdout).toMatch(
        /^::error title=invalid pipelines\/broken\.yaml,file=pipelines\/broken\.yaml,line=8,col=15::/m,
      );
      expect(validated.summary).toContain("| `pipelines/broken.yaml` | ❌ invalid |");
    },
    SLOW,
  );

  it(
    "fails with the cause when the registry is unreachable, and claims no success",
    async () => {
      // Arrange: a port nothing listens on any more
      const port = await findClosedPort();
      const { workspace, fake, token, base } = await setUp({
        "pipelines/churn.yaml": pipelineYaml({ name: "churn_small" }),
      });

      // Act
      const run = await runAction({
        workspace,
        token,
        apiUrl: fake.apiUrl,
        payload: pullRequestPayload(base),
        inputs: { registry: `oci://127.0.0.1:${port}/acme`, "changed-only": "false" },
      });

      // Assert
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        new RegExp(
          `::error title=meta-controller pipelines/churn\\.yaml::registry oci://127\\.0\\.0\\.1:${port}/acme: .*connection refused`,
        ),
      );
      expect(run.outputs).toEqual({});
      expect(run.summary).not.toContain("gates passed");
      expect(fake.comments).toEqual([]);
    },
    SLOW,
  );

  it.skipIf(dockerRegistryMissing() !== undefined)(
    "fails with the cause when the registry refuses the credentials, and claims no success",
    async () => {
      // Arrange: a real registry that requires a password the run does not have
      const running = await startDockerRegistry({ basicAuth: { username: "ci", password: "right" } });
      try {
        const { workspace, fake, token, base } = await setUp({
          "pipelines/churn.yaml": pipelineYaml({ name: "churn_small" }),
        });

        // Act
        const run = await runAction({
          workspace,
          token,
          apiUrl: fake.apiUrl,
          payload: pullRequestPayload(base),
          inputs: { registry: `oci://${running.host}/acme`, "changed-only": "false" },
          env: { REGISTRY_INSECURE: "true", REGISTRY_USERNAME: "ci", REGISTRY_PASSWORD: "wrong" },
        });

        // Assert
        expect(run.code).toBe(1);
        expect(run.stdout).toMatch(
          new RegExp(
            `::error title=meta-controller pipelines/churn\\.yaml::registry oci://${running.host}/acme: .*401`,
          ),
        );
        expect(run.outputs).toEqual({});
        expect(fake.comments).toEqual([]);
      } finally {
        await running.stop();
      }
    },
    SLOW,
  );

  it(
    "skips the comment with a notice when the token is read-only (a fork), keeping the report in the summary",
    async () => {
      // Arrange: the fake refuses comment creation as GitHub does for a fork's token
      const { workspace, fake, token, base, registry } = await setUp({
        "pipelines/churn.yaml": pipelineYaml({ name: "churn_small" }),
      });
      fake.addFailures([
        {
          method: "POST",
          path: /\/issues\/\d+\/comments$/,
          status: 403,
          times: 1,
          message: "Resource not accessible by integration",
        },
      ]);

      // Act
      const run = await runAction({
        workspace,
        token,
        apiUrl: fake.apiUrl,
        payload: pullRequestPayload(base, { fork: true }),
        inputs: { registry, "changed-only": "false" },
      });

      // Assert
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^::notice::PR comment skipped for churn_small: .*HTTP 403/m);
      expect(run.summary).toContain("✅ gates passed");
      expect(run.outputs["model-ref"]).toMatch(/^churn_small:v1@/);
      expect(fake.comments).toEqual([]);
    },
    SLOW,
  );

  it(
    "with changed-only, runs only the pipeline whose YAML changed since the pull request's base",
    async () => {
      // Arrange: two pipelines; the PR edits one of them
      const { workspace, registry, base } = await setUp({
        "pipelines/a.yaml": pipelineYaml({ name: "pipeline_a" }),
        "pipelines/b.yaml": pipelineYaml({ name: "pipeline_b" }),
      });
      await writeFile(
        join(workspace, "pipelines/b.yaml"),
        `# tuned\n${pipelineYaml({ name: "pipeline_b" })}`,
      );
      await git(workspace, ["commit", "-q", "-am", "edit b"]);

      // Act
      const run = await runAction({
        workspace,
        payload: pullRequestPayload(base),
        inputs: { registry, comment: "false" },
      });

      // Assert
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("changed-only: 1 of 2 pipelines changed");
      expect(run.outputs["model-ref"]).toMatch(/^pipeline_b:v1@/);
      expect(run.summary).not.toContain("pipeline_a");
    },
    SLOW,
  );
});
