/**
 * No dead settings: `llm` in `.github/meta-controller.yml` and `notify` in an
 * environment file were read and never used; `meta-controller validate`
 * (the built CLI) now rejects them with an error naming the key and where
 * the setting went.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli } from "../helpers/processes.js";

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "mc-removed-"));
  await promisify(execFile)("git", ["init", "-q"], { cwd: root });
  await mkdir(join(root, ".github"));
  await mkdir(join(root, "environments"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

it.each([
  [
    ".github/meta-controller.yml",
    "default_environment: staging\nllm:\n  base_url: http://evil.example/v1\n",
    "OPENAI_BASE_URL",
  ],
  [
    "environments/staging.yaml",
    "name: staging\nmodel: m\nstable: null\nnotify:\n  slack_webhook_env: SLACK_URL\n",
    "`notify` (slack_webhook_env) is not supported",
  ],
])("rejects the removed setting in %s, naming it", async (file, text, message) => {
  await writeFile(join(root, file), text);

  const run = await runCli(["validate", file], { cwd: root });

  expect(run.code).not.toBe(0);
  expect(run.stdout + run.stderr).toContain(message);
  await rm(join(root, file));
});
