/**
 * Runs the Action's built entry (`dist/action/index.js`, what action.yml
 * runs) the way the runner does: a child process with INPUT_* variables, the
 * event payload file, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, and
 * GITHUB_API_URL at the fake GitHub.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createGitRepo } from "../helpers/fake-github-git.js";
import type { FakeGitHub } from "../helpers/fake-github.js";
import { assertBuilt, runToEnd } from "../helpers/processes.js";

const require = createRequire(import.meta.url);
const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
/** The built entry action.yml runs. */
const ENTRY = join(ROOT, "dist/action/index.js");

/** The fake repository's owner and name. */
export const OWNER = "acme";
export const REPO = "models";

/** What one run of the Action left behind. */
export interface ActionRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  readonly summary: string;
}

/** A small classification pipeline on the example data. */
export function pipelineYaml(input: {
  name: string;
  gates?: string;
  tuning?: boolean;
  dataPath?: string;
}): string {
  const tuning = input.tuning
    ? `enable_hyperparameter_tuning: true
hyperparameter_tuning:
  strategy: random
  n_trials: 8
  cv_folds: 2
  metric: roc_auc
  distributions:
    C: { type: float, low: 0.001, high: 10, log: true }
`
    : "";
  return `name: ${input.name}
data_processing:
  data_source: { type: csv, path: ${input.dataPath ?? "data/customer_data.csv"} }
  feature_engineering:
    numeric_features: [age, tenure, monthly_charges]
    categorical_features: [gender, partner, phone_service]
model_training:
  model_type: logistic_regression
  target_column: churn
  test_size: 0.2
${tuning}evaluation:
  gates:
${input.gates ?? "    - { metric: roc_auc, min: 0.6 }\n    - { metric: roc_auc, compare_to: production, max_regression: 0.02 }"}
`;
}

/** An environment file serving `stable`. */
export function environmentYaml(stable: string | null): string {
  return `name: production
model: churn_small
stable: ${stable === null ? "null" : JSON.stringify(stable)}
candidate: null
strategy: { type: simple }
`;
}

/** A git workspace with the example data and the given files. */
export async function createWorkspace(files: Readonly<Record<string, string>>): Promise<string> {
  const data = await readFile(join(ROOT, "data/customer_data.csv"), "utf8");
  return createGitRepo({
    "data/customer_data.csv": data,
    "environments/production.yaml": environmentYaml(null),
    ...files,
  });
}

/** A real `pull_request.opened` payload, pointed at the fake repository and `base`. */
export function pullRequestPayload(base: string, options: { fork?: boolean } = {}): Record<string, unknown> {
  const groups = require("@octokit/webhooks-examples/api.github.com/index.json") as {
    name: string;
    examples: Record<string, unknown>[];
  }[];
  const found = groups.find((g) => g.name === "pull_request")?.examples.find((e) => e.action === "opened");
  if (!found) throw new Error("no pull_request.opened example in @octokit/webhooks-examples");
  const payload = structuredClone(found);
  const repository = payload.repository as Record<string, unknown>;
  repository.full_name = `${OWNER}/${REPO}`;
  repository.name = REPO;
  const pr = payload.pull_request as {
    base: { sha: string };
    head: { repo: { full_name: string; fork: boolean } };
  };
  pr.base.sha = base;
  if (options.fork) {
    pr.head.repo.full_name = `someone/${REPO}`;
    pr.head.repo.fork = true;
  }
  return payload;
}

/** An installation token the fake accepts (it answers only tokens it issued). */
export async function issueToken(fake: FakeGitHub): Promise<string> {
  const res = await fetch(`${fake.apiUrl}/app/installations/4242/access_tokens`, {
    method: "POST",
    headers: { authorization: "Bearer e30.e30.sig", accept: "application/json" },
  });
  const body = (await res.json()) as { token: string };
  return body.token;
}

/** Parses a GITHUB_OUTPUT file (`name<<delimiter` blocks). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
    out[m[1]!] = value.join("\n");
  }
  return out;
}

/** Runs the entry once in `workspace`. */
export async function runAction(input: {
  workspace: string;
  inputs: Readonly<Record<string, string>>;
  eventName?: string;
  payload?: unknown;
  apiUrl?: string;
  token?: string;
  env?: Readonly<Record<string, string>>;
}): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), "mc-action-run-"));
  const outputFile = join(dir, "output");
  const summaryFile = join(dir, "summary");
  const eventFile = join(dir, "event.json");
  await writeFile(outputFile, "");
  await writeFile(summaryFile, "");
  await writeFile(eventFile, JSON.stringify(input.payload ?? {}));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: "true",
    GITHUB_WORKSPACE: input.workspace,
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_EVENT_NAME: input.eventName ?? "pull_request",
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_API_URL: input.apiUrl ?? "http://127.0.0.1:9/api/v3",
    RUNNER_TEMP: dir,
    ...(input.token ? { GITHUB_TOKEN: input.token, "INPUT_GITHUB-TOKEN": input.token } : {}),
    ...input.env,
  };
  for (const [name, value] of Object.entries(input.inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  assertBuilt(ENTRY);
  const run = await runToEnd(process.execPath, [ENTRY], { cwd: input.workspace, env });
  const { stdout, stderr } = run;
  // Killed (timeout) counts as a failure, as execFile reported it.
  const code = run.code ?? 1;
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputFile(await readFile(outputFile, "utf8")),
    summary: await readFile(summaryFile, "utf8"),
  };
}
