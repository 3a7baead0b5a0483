/**
 * GitOps edits applied to a local checkout: the same pure `yaml → yaml`
 * edits the bot commits through pull requests, written to
 * `environments/<name>.yaml` on disk after the result is validated, so a
 * script without a GitHub App changes exactly what a PR would change.
 */
import { execFile } from "node:child_process";
import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { ConfigError, UsageError } from "../common/errors.js";
import { EnvironmentSpec } from "../config/environment.js";
import { parseConfigText } from "../config/load-yaml.js";
import {
  buildAbortEdit,
  buildDeployEdit,
  buildRollbackEdit,
  digestOfRef,
  readEnvironmentRefs,
  type EditStrategy,
} from "../deploy/environment-edits.js";

/** An environment file read from disk. */
export interface LocalEnvironment {
  readonly name: string;
  /** Path relative to the root, as in Git. */
  readonly path: string;
  readonly text: string;
  readonly spec: EnvironmentSpec;
}

/** What a local edit did. */
export interface LocalEditResult {
  readonly environment: string;
  readonly path: string;
  readonly before: string;
  readonly after: string;
}

const ENV_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** Relative path of an environment's file. */
export function environmentPath(name: string, dir = "environments"): string {
  if (!ENV_NAME.test(name)) {
    throw new UsageError(`${JSON.stringify(name)} is not an environment name (lowercase letters, digits, -)`);
  }
  return `${dir}/${name}.yaml`;
}

/** Parses environment text; throws ConfigError with every problem at its line and column. */
export function parseEnvironmentText(path: string, text: string): EnvironmentSpec {
  const result = parseConfigText(path, text, EnvironmentSpec);
  if (!result.ok) throw new ConfigError(result.issues);
  return result.config.value;
}

/** Reads and validates `environments/<name>.yaml` under `root`. */
export async function loadLocalEnvironment(root: string, name: string): Promise<LocalEnvironment> {
  const path = environmentPath(name);
  let text: string;
  try {
    text = await readFile(join(root, path), "utf8");
  } catch (error) {
    throw new UsageError(`environment ${name}: cannot read ${path}`, { cause: error });
  }
  return { name, path, text, spec: parseEnvironmentText(path, text) };
}

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
async function writeEnvironment(
  root: string,
  env: LocalEnvironment,
  after: string,
): Promise<LocalEditResult> {
  parseEnvironmentText(env.path, after);
  const target = join(root, env.path);
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, after);
  await rename(temp, target);
  return { environment: env.name, path: env.path, before: env.text, after };
}

/** Sets the candidate (or, for `simple`, the stable) of a local environment file. */
export async function deployLocally(
  root: string,
  name: string,
  ref: string,
  strategy: EditStrategy | undefined,
): Promise<LocalEditResult> {
  const env = await loadLocalEnvironment(root, name);
  const after = buildDeployEdit(env.path, env.text, { ref, ...(strategy === undefined ? {} : { strategy }) });
  return writeEnvironment(root, env, after);
}

/** Port reading earlier versions of a file, newest first; the local one reads `git log`. */
export type FileHistory = (path: string) => Promise<readonly string[]>;

/** Earlier committed versions of a file in the Git checkout at `root`, newest first (at most `limit`). */
export function createGitFileHistory(root: string, limit = 20): FileHistory {
  const run = promisify(execFile);
  return async (path) => {
    let shas: string[];
    try {
      const { stdout } = await run("git", ["log", `-n${limit}`, "--format=%H", "--", path], { cwd: root });
      shas = stdout.split("\n").filter((line) => line.length > 0);
    } catch {
      return [];
    }
    const texts: string[] = [];
    for (const sha of shas) {
      try {
        texts.push((await run("git", ["show", `${sha}:${path}`], { cwd: root, maxBuffer: 1 << 20 })).stdout);
      } catch {
        // The file did not exist at that commit (renamed or deleted).
      }
    }
    return texts;
  };
}

/**
 * Rolls a local environment back: a candidate is aborted (cleared and
 * quarantined); otherwise the stable is quarantined and replaced by the
 * newest earlier stable from the file's history that is not quarantined.
 */
export async function rollbackLocally(
  root: string,
  name: string,
  history: FileHistory,
): Promise<LocalEditResult> {
  const env = await loadLocalEnvironment(root, name);
  if (env.spec.candidate) return writeEnvironment(root, env, buildAbortEdit(env.path, env.text));
  const bad = digestOfRef(env.spec.stable);
  if (!bad)
    throw new UsageError(`environment ${name}: ${env.path} serves nothing, so there is nothing to roll back`);
  const avoid = new Set([...env.spec.quarantine, bad]);
  let lastGood: string | null = null;
  for (const text of await history(env.path)) {
    let stable: string | null;
    try {
      stable = readEnvironmentRefs(env.path, text).stable;
    } catch {
      continue;
    }
    const digest = digestOfRef(stable);
    if (stable && digest && !avoid.has(digest)) {
      lastGood = stable;
      break;
    }
  }
  if (lastGood === null) {
    throw new UsageError(`environment ${name}: no earlier good stable model in the history of ${env.path}`);
  }
  return writeEnvironment(root, env, buildRollbackEdit(env.path, env.text, { badDigest: bad, lastGood }));
}
