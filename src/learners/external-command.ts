/**
 * `model_type: command` — bring your own training. The user's command (any
 * language: `python train.py`, say) runs in a shell from the repository root
 * with these environment variables:
 *
 * | variable | value |
 * | --- | --- |
 * | `META_CONTROLLER_TRAIN_CSV` | path of the training rows (CSV with header) |
 * | `META_CONTROLLER_HOLDOUT_CSV` | path of the holdout rows (same columns) |
 * | `META_CONTROLLER_OUTPUT_DIR` | folder to write `model.onnx` (required) and `metrics.json` (optional) into |
 * | `META_CONTROLLER_TARGET_COLUMN` | name of the target column |
 * | `META_CONTROLLER_TASK` | `classification` or `regression` |
 * | `META_CONTROLLER_FEATURES` | JSON list of `{ "name", "kind": "numeric" \| "categorical" }`, the model's inputs |
 * | `META_CONTROLLER_SEED` | the pipeline's seed |
 * | `META_CONTROLLER_CLASSES` | classification: JSON list of the class labels in the order the `probabilities` columns must follow (sorted; a binary target's positive class last) |
 *
 * Nothing else of the runner's environment reaches the command but
 * {@link COMMAND_BASE_ENV} and the names the pipeline lists under
 * `command.env`: a CI job holds tokens and registry passwords, and a
 * training script has no business with them unless the pipeline says so.
 *
 * The model must take one input per feature, as our own exports do: numeric
 * `tensor(float) [N, 1]`, categorical `tensor(string) [N, 1]`. Its stdout and
 * stderr both stream to this process's stderr, so `train --json` keeps stdout
 * for its one JSON document; a non-zero exit fails the run with the exit code
 * and the last lines of stderr. The ONNX check itself is handed in
 * (`verifyModel`) so this module stays below `onnx/` in the layering.
 */
import { spawn } from "node:child_process";
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { MetaControllerError } from "../common/errors.js";
import type { Task } from "./model.js";

/** Names of the environment variables the command receives. */
export const EXTERNAL_COMMAND_ENV = {
  trainCsv: "META_CONTROLLER_TRAIN_CSV",
  holdoutCsv: "META_CONTROLLER_HOLDOUT_CSV",
  outputDir: "META_CONTROLLER_OUTPUT_DIR",
  targetColumn: "META_CONTROLLER_TARGET_COLUMN",
  task: "META_CONTROLLER_TASK",
  features: "META_CONTROLLER_FEATURES",
  seed: "META_CONTROLLER_SEED",
  classes: "META_CONTROLLER_CLASSES",
} as const;

/** Variables every command gets from the runner's environment, besides `META_CONTROLLER_*`. */
export const COMMAND_BASE_ENV: readonly string[] = ["PATH", "HOME", "LANG", "TMPDIR"];

/**
 * The environment a command starts with: {@link COMMAND_BASE_ENV},
 * `META_CONTROLLER_*`, and the names in `passed` that `base` has (pure).
 */
export function buildCommandEnvironment(
  base: NodeJS.ProcessEnv,
  passed: readonly string[] = [],
): NodeJS.ProcessEnv {
  const names = new Set([...COMMAND_BASE_ENV, ...passed]);
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined && (names.has(name) || name.startsWith("META_CONTROLLER_"))) env[name] = value;
  }
  return env;
}

/** File the command must write into the output folder. */
export const EXTERNAL_MODEL_FILE = "model.onnx";
/** Optional metrics file (a JSON object of numbers). */
export const EXTERNAL_METRICS_FILE = "metrics.json";

/** How many trailing stderr lines a failure message quotes. */
const STDERR_TAIL_LINES = 20;

/** The user's command failed or did not produce what the pipeline needs. */
export class ExternalCommandError extends MetaControllerError {}

/** One input the model must accept. */
export interface ExternalCommandFeature {
  readonly name: string;
  readonly kind: "numeric" | "categorical";
}

/** What {@link runExternalCommand} needs. */
export interface ExternalCommandInput {
  /** Shell command line, from the pipeline's `model_training.command`. */
  readonly command: string;
  /** Repository root: the command's working directory. */
  readonly cwd: string;
  readonly trainCsv: string;
  readonly holdoutCsv: string;
  /** Created if absent; a stale `model.onnx`/`metrics.json` in it is removed first. */
  readonly outputDir: string;
  readonly targetColumn: string;
  readonly task: Task;
  readonly features: readonly ExternalCommandFeature[];
  readonly seed: number;
  /** Classification: the labels in probability-column order; empty for regression. */
  readonly classes?: readonly string[];
  /**
   * Checks the written model (e.g. its ONNX inputs against `features`); throws
   * to reject it. The pipeline passes `verifyOnnxModel` from `onnx/`.
   */
  readonly verifyModel: (bytes: Uint8Array, modelPath: string) => Promise<void>;
  /** Environment the allowed variables are taken from; default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Names of further variables of `env` the command gets (the pipeline's `command.env`). */
  readonly passEnv?: readonly string[];
  /** Where the command's output streams; default this process's stderr for both (stdout is the caller's report). */
  readonly stdout?: Writable;
  readonly stderr?: Writable;
  /** Kills the command (and its children) after this many milliseconds. */
  readonly timeoutMs?: number;
}

/** What the command produced. */
export interface ExternalCommandResult {
  readonly modelPath: string;
  readonly onnx: Uint8Array;
  /** From `metrics.json`, when written. */
  readonly metrics: Readonly<Record<string, number>> | undefined;
}

/** Keeps the last lines of a stream without holding all of it. */
function createTail(maxLines: number): { push(chunk: Buffer): void; lines(): string[] } {
  let text = "";
  return {
    push(chunk) {
      text += chunk.toString("utf8");
      const lines = text.split("\n");
      if (lines.length > maxLines + 1) text = lines.slice(-(maxLines + 1)).join("\n");
    },
    lines() {
      return text
        .split("\n")
        .filter((l) => l.trim() !== "")
        .slice(-maxLines);
    },
  };
}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly stderrTail: string[];
}

function runShell(input: ExternalCommandInput, env: NodeJS.ProcessEnv): Promise<Exit> {
  return new Promise((resolve, reject) => {
    // A process group of its own, so a timeout kills the shell's children too.
    const child = spawn(input.command, {
      cwd: input.cwd,
      env,
      shell: true,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const tail = createTail(STDERR_TAIL_LINES);
    const stdout = input.stdout ?? process.stderr;
    const stderr = input.stderr ?? process.stderr;
    child.stdout.on("data", (chunk: Buffer) => stdout.write(chunk));
    child.stderr.on("data", (chunk: Buffer) => {
      tail.push(chunk);
      stderr.write(chunk);
    });
    let timedOut = false;
    const timer =
      input.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            try {
              if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
            } catch {
              // The group is already gone: nothing left to stop.
            }
          }, input.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(
        new ExternalCommandError(
          `could not start the training command \`${input.command}\`: ${error.message}`,
          { cause: error },
        ),
      );
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, stderrTail: tail.lines() });
    });
  });
}

function describeExit(command: string, exit: Exit): string {
  const how = exit.timedOut
    ? "was stopped after its time limit"
    : exit.signal !== null
      ? `was killed by ${exit.signal}`
      : `exited with code ${exit.code}`;
  const tail =
    exit.stderrTail.length > 0
      ? `; last lines of its stderr:\n  ${exit.stderrTail.join("\n  ")}`
      : " (no stderr output)";
  return `the training command \`${command}\` ${how}${tail}`;
}

async function readMetrics(path: string): Promise<Record<string, number> | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ExternalCommandError(`${path}: not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ExternalCommandError(`${path}: expected a JSON object of metric names to numbers`);
  }
  const metrics: Record<string, number> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new ExternalCommandError(
        `${path}: metric "${key}" is ${JSON.stringify(value)}, expected a finite number`,
      );
    }
    metrics[key] = value;
  }
  return metrics;
}

/**
 * Runs the user's training command and collects its model.
 *
 * @throws ExternalCommandError on a failed command, a missing or empty
 * `model.onnx`, or a bad `metrics.json`; whatever `verifyModel` throws for a
 * model that does not fit the pipeline.
 */
export async function runExternalCommand(input: ExternalCommandInput): Promise<ExternalCommandResult> {
  const modelPath = join(input.outputDir, EXTERNAL_MODEL_FILE);
  const metricsPath = join(input.outputDir, EXTERNAL_METRICS_FILE);
  await mkdir(input.outputDir, { recursive: true });
  // A file left by an earlier run must not pass for this run's output.
  await rm(modelPath, { force: true });
  await rm(metricsPath, { force: true });
  const env: NodeJS.ProcessEnv = {
    ...buildCommandEnvironment(input.env ?? process.env, input.passEnv),
    [EXTERNAL_COMMAND_ENV.trainCsv]: input.trainCsv,
    [EXTERNAL_COMMAND_ENV.holdoutCsv]: input.holdoutCsv,
    [EXTERNAL_COMMAND_ENV.outputDir]: input.outputDir,
    [EXTERNAL_COMMAND_ENV.targetColumn]: input.targetColumn,
    [EXTERNAL_COMMAND_ENV.task]: input.task,
    [EXTERNAL_COMMAND_ENV.features]: JSON.stringify(input.features),
    [EXTERNAL_COMMAND_ENV.seed]: String(input.seed),
    ...(input.classes && input.classes.length > 0
      ? { [EXTERNAL_COMMAND_ENV.classes]: JSON.stringify(input.classes) }
      : {}),
  };
  const exit = await runShell(input, env);
  if (exit.code !== 0 || exit.timedOut) throw new ExternalCommandError(describeExit(input.command, exit));
  let onnx: Uint8Array;
  try {
    onnx = new Uint8Array(await readFile(modelPath));
  } catch (error) {
    throw new ExternalCommandError(
      `the training command \`${input.command}\` succeeded but wrote no ${modelPath}; it must write ${EXTERNAL_MODEL_FILE} into $${EXTERNAL_COMMAND_ENV.outputDir}`,
      { cause: error },
    );
  }
  if (onnx.length === 0) throw new ExternalCommandError(`${modelPath} is empty`);
  await input.verifyModel(onnx, modelPath);
  return { modelPath, onnx, metrics: await readMetrics(metricsPath) };
}
