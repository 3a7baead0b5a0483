/**
 * Registered pipelines and their training runs, kept in memory for one
 * library instance. A run is the same `trainPipeline` use case the CLI and
 * the Action call; this module only remembers what was asked and what came
 * back, so scripts can poll instead of awaiting.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { stringify } from "yaml";
import { UsageError } from "../common/errors.js";
import { PipelineSpec } from "../config/pipeline.js";
import { loadPipeline, type TrainOptions, type TrainResult, type ShardResult } from "../pipeline/train.js";

/** Where a run is. */
export type RunState = "running" | "succeeded" | "failed";

/** What {@link PipelineRuns.status} reports about one run. */
export interface RunStatus {
  readonly runId: string;
  readonly pipelineId: string;
  readonly state: RunState;
  readonly startedAt: string;
  readonly finishedAt?: string;
  /** Holdout metrics of the trained model. */
  readonly metrics?: Readonly<Record<string, number>>;
  readonly gatesPassed?: boolean;
  /** `name:vN@sha256:…` when the model was pushed. */
  readonly modelRef?: string;
  /** The error message of a failed run. */
  readonly error?: string;
}

/** The training function runs call: `trainPipeline`, or a stand-in in tests. */
export type TrainFunction = (options: TrainOptions) => Promise<TrainResult | ShardResult>;

/** Options of one run. */
export interface TriggerOptions {
  readonly seed?: number;
  /** Push the model when its gates pass; default true when a registry is open. */
  readonly push?: boolean;
}

/** The in-memory book of pipelines and runs. */
export interface PipelineRuns {
  register(config: PipelineSpec | string): Promise<string>;
  trigger(pipelineId: string, options?: TriggerOptions): string;
  status(runId: string): RunStatus;
  /** Resolves when the run ends, with its final status (never rejects). */
  wait(runId: string): Promise<RunStatus>;
}

/** What runs need from their owner. */
export interface PipelineRunsContext {
  readonly root: string;
  readonly train: TrainFunction;
  /** Extra options for every run (registry, logger, threads). */
  readonly trainOptions: () => Omit<TrainOptions, "root" | "pipelinePath">;
  readonly now: () => Date;
}

interface RunRecord {
  status: RunStatus;
  done: Promise<RunStatus>;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Creates the book. A pipeline given as a path is validated now (so a bad
 * file fails at registration, naming its line) and its id is the path
 * relative to the root; a pipeline given as an object is validated with the
 * same schema and written to a private temporary file, id `name`.
 */
export function createPipelineRuns(context: PipelineRunsContext): PipelineRuns {
  const pipelines = new Map<string, string>();
  const runs = new Map<string, RunRecord>();
  let tempDir: string | undefined;
  let counter = 0;

  async function register(config: PipelineSpec | string): Promise<string> {
    if (typeof config === "string") {
      const path = resolve(context.root, config);
      await loadPipeline(context.root, path);
      const id = relative(context.root, path);
      pipelines.set(id, path);
      return id;
    }
    const parsed = PipelineSpec.safeParse(config);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new UsageError(
        `pipeline config: ${first ? `${first.path.join(".") || "(root)"}: ${first.message}` : "invalid"}`,
      );
    }
    tempDir ??= await mkdtemp(join(tmpdir(), "meta-controller-pipelines-"));
    const id = parsed.data.name;
    const path = join(tempDir, `${id}.yaml`);
    await writeFile(path, stringify(config));
    pipelines.set(id, path);
    return id;
  }

  function trigger(pipelineId: string, options: TriggerOptions = {}): string {
    const path = pipelines.get(pipelineId);
    if (path === undefined) {
      throw new UsageError(
        `pipeline ${JSON.stringify(pipelineId)} is not registered; registered: ${[...pipelines.keys()].join(", ") || "none"}`,
      );
    }
    counter += 1;
    const runId = `run-${counter}`;
    const base = context.trainOptions();
    const startedAt = context.now().toISOString();
    const record: RunRecord = {
      status: { runId, pipelineId, state: "running", startedAt },
      done: Promise.resolve(undefined as never),
    };
    const push = options.push ?? base.registry !== undefined;
    record.done = context
      .train({
        ...base,
        root: context.root,
        pipelinePath: path,
        push,
        ...(options.seed === undefined ? {} : { seed: options.seed }),
      })
      .then(
        (result): RunStatus => ({
          runId,
          pipelineId,
          state: "succeeded",
          startedAt,
          finishedAt: context.now().toISOString(),
          ...(result.kind === "model"
            ? {
                metrics: result.evaluation.metrics,
                gatesPassed: result.gates.passed,
                ...(result.pushed ? { modelRef: result.pushed.pinnedRef } : {}),
              }
            : {}),
        }),
        (error: unknown): RunStatus => ({
          runId,
          pipelineId,
          state: "failed",
          startedAt,
          finishedAt: context.now().toISOString(),
          error: message(error),
        }),
      )
      .then((status) => {
        record.status = status;
        return status;
      });
    runs.set(runId, record);
    return runId;
  }

  function find(runId: string): RunRecord {
    const record = runs.get(runId);
    if (record === undefined) throw new UsageError(`run ${JSON.stringify(runId)} does not exist`);
    return record;
  }

  return {
    register,
    trigger,
    status: (runId) => find(runId).status,
    wait: (runId) => find(runId).done,
  };
}
