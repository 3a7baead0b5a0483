/**
 * `changed-only`: which pipelines a pull request or push touched. The base
 * commit comes from the event payload; the changed files from
 * `git diff --name-only <base> HEAD`.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { UsageError } from "../common/errors.js";
import type { PipelineSpec } from "../config/pipeline.js";

const run = promisify(execFile);

/** Commits that mean "no base" in a push payload (a new branch). */
const NULL_SHA = /^0{40}$/;

/**
 * The base commit of an event: `pull_request.base.sha` for pull requests,
 * `before` for pushes; undefined for other events or a branch's first push
 * (then every pipeline runs).
 */
export function readEventBase(eventName: string, payload: unknown): string | undefined {
  if (typeof payload !== "object" || payload === null) return undefined;
  const p = payload as { pull_request?: { base?: { sha?: unknown } }; before?: unknown };
  let sha: unknown;
  if (eventName === "pull_request" || eventName === "pull_request_target") sha = p.pull_request?.base?.sha;
  else if (eventName === "push") sha = p.before;
  if (typeof sha !== "string" || !/^[0-9a-f]{40}$/.test(sha) || NULL_SHA.test(sha)) return undefined;
  return sha;
}

/** Reads the event payload file the runner names; `{}` when there is none. */
export async function loadEventPayload(path: string | undefined): Promise<unknown> {
  if (!path) return {};
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read the event payload ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`the event payload ${path} is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Files changed between `base` and HEAD, relative to the repository root. */
export async function loadChangedFiles(root: string, base: string): Promise<string[]> {
  try {
    const { stdout } = await run("git", ["diff", "--name-only", base, "HEAD"], {
      cwd: root,
      timeout: 30_000,
    });
    return stdout.split("\n").filter((line) => line !== "");
  } catch (error) {
    throw new UsageError(
      `changed-only: git diff against the event's base ${base} failed (fetch more history with actions/checkout fetch-depth: 0): ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** The data files a pipeline reads, relative to the root as written. */
export function listPipelineInputs(spec: PipelineSpec): string[] {
  const paths = [spec.data_processing.data_source.path];
  if (spec.evaluation.data_source) paths.push(spec.evaluation.data_source.path);
  return paths;
}

function normalize(path: string): string {
  return path.replace(/\\/g, "/").replace(/^\.\//, "");
}

/**
 * Whether a pipeline changed: its YAML, or one of its data files. `inputs`
 * undefined means the YAML could not be read, and such a pipeline always
 * runs so its problems are reported.
 */
export function hasPipelineChanged(
  pipelinePath: string,
  inputs: readonly string[] | undefined,
  changed: readonly string[],
): boolean {
  if (inputs === undefined) return true;
  const set = new Set(changed.map(normalize));
  return [pipelinePath, ...inputs].some((p) => set.has(normalize(p)));
}
