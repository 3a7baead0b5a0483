import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OnnxError } from "../../src/common/errors.js";
import {
  buildCommandEnvironment,
  ExternalCommandError,
  runExternalCommand,
  type ExternalCommandFeature,
  type ExternalCommandInput,
} from "../../src/learners/external-command.js";
import { createOnnxSession, runOnnxSession, verifyOnnxModel } from "../../src/onnx/index.js";

const repoRoot = new URL("../..", import.meta.url).pathname;
const command = "node --import tsx test/fixtures/onnx/train-command.ts";
const features: ExternalCommandFeature[] = [
  { name: "age", kind: "numeric" },
  { name: "income", kind: "numeric" },
  { name: "plan", kind: "categorical" },
];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "external-command-"));
  await writeFile(join(dir, "train.csv"), "age,income,plan,y\n1,2,a,3\n4,5,b,9\n6,7,a,13\n");
  await writeFile(join(dir, "holdout.csv"), "age,income,plan,y\n2,3,a,5\n");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

function input(mode: string, stdout: PassThrough, stderr: PassThrough): ExternalCommandInput {
  return {
    command,
    cwd: repoRoot,
    trainCsv: join(dir, "train.csv"),
    holdoutCsv: join(dir, "holdout.csv"),
    outputDir: join(dir, `out-${mode}`),
    targetColumn: "y",
    task: "regression",
    features,
    seed: 42,
    verifyModel: (bytes, path) => verifyOnnxModel(bytes, { features, task: "regression" }, path),
    env: { ...process.env, FIXTURE_MODE: mode },
    passEnv: ["FIXTURE_MODE"],
    stdout,
    stderr,
  };
}

// Each case spawns Node with tsx; running them side by side keeps the wall time down.
describe.concurrent("runExternalCommand", () => {
  it("runs the command with the META_CONTROLLER_* paths, streams its output and returns a runnable model", async () => {
    // Arrange
    const stdout = collect();
    const stderr = collect();

    // Act
    const result = await runExternalCommand(input("ok", stdout.stream, stderr.stream));

    // Assert: the command saw the files and settings; its model runs on raw columns.
    expect(stdout.text()).toContain("training on 3 rows, 1 holdout rows, target y");
    expect(stderr.text()).toContain("task regression, seed 42");
    expect(result.modelPath).toBe(join(dir, "out-ok", "model.onnx"));
    expect(result.metrics).toEqual({ rmse: 0.5, r2: 0.9 });
    const session = await createOnnxSession(result.onnx);
    const out = await runOnnxSession(session, {
      age: Float32Array.of(2),
      income: Float32Array.of(3),
      plan: ["a"],
    });
    await session.release();
    expect(Array.from(out.prediction!.values as Float32Array)).toEqual([15]);
  });

  it("fails with the exit code and the last 20 stderr lines when the command fails", async () => {
    const act = runExternalCommand(input("fail", collect().stream, collect().stream));
    await expect(act).rejects.toThrow(ExternalCommandError);
    const message = await act.catch((e: Error) => e.message);
    expect(message).toMatch(/`node --import tsx test\/fixtures\/onnx\/train-command.ts` exited with code 3/);
    expect(message).toContain("traceback line 25");
    expect(message).toContain("traceback line 6");
    expect(message).not.toContain("traceback line 5\n");
  });

  it.each([
    [
      "no-model",
      ExternalCommandError,
      /succeeded but wrote no .*out-no-model\/model.onnx; it must write model.onnx into \$META_CONTROLLER_OUTPUT_DIR/,
    ],
    ["bad-metrics", ExternalCommandError, /metrics.json: metric "rmse" is "high", expected a finite number/],
  ])("rejects the %s case", async (mode, type, message) => {
    const act = runExternalCommand(input(mode, collect().stream, collect().stream));
    await expect(act).rejects.toThrow(type);
    await expect(act).rejects.toThrow(message);
  });

  it("rejects a model whose inputs do not match the features, naming each bad input", async () => {
    const error = await runExternalCommand(input("mismatch", collect().stream, collect().stream)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OnnxError);
    const message = (error as OnnxError).message;
    expect(message).toMatch(
      /out-mismatch\/model.onnx: the model's inputs do not match the pipeline's features/,
    );
    expect(message).toContain('missing input "age" (numeric feature');
    expect(message).toContain(
      'input "plan" is tensor(float) but the pipeline feeds the categorical feature as tensor(string)',
    );
    expect(message).toContain('input "age_renamed" is not one of the pipeline\'s features');
  });

  it("stops a command that outlives its time limit", async () => {
    const act = runExternalCommand({
      // Its own output folder: the concurrent "ok" case must not see its model removed.
      ...input("timeout", collect().stream, collect().stream),
      command: "sleep 30",
      timeoutMs: 200,
    });
    await expect(act).rejects.toThrow(/`sleep 30` was stopped after its time limit/);
  });
});

describe("buildCommandEnvironment", () => {
  it("keeps PATH, HOME, LANG, TMPDIR, META_CONTROLLER_* and the listed names, nothing else", () => {
    const env = buildCommandEnvironment(
      {
        PATH: "/bin",
        HOME: "/home/u",
        LANG: "C",
        TMPDIR: "/tmp",
        META_CONTROLLER_X: "1",
        GITHUB_TOKEN: "t",
        INPUT_GITHUB_TOKEN: "t",
        REGISTRY_PASSWORD: "p",
        OPENAI_API_KEY: "k",
        HF_TOKEN: "h",
      },
      ["HF_TOKEN", "ABSENT"],
    );

    expect(Object.keys(env).sort()).toEqual([
      "HF_TOKEN",
      "HOME",
      "LANG",
      "META_CONTROLLER_X",
      "PATH",
      "TMPDIR",
    ]);
  });
});
