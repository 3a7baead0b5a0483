/**
 * The fake GitHub fails a test by itself: a test that makes a call the fake
 * does not expect fails even though its own assertions pass and its file
 * has no `afterEach` that looks. Shown by running a nested vitest on a test
 * file written to a temp folder, and reading its JSON report.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const WORKTREE = fileURLToPath(new URL("../..", import.meta.url));
const HELPERS = join(WORKTREE, "test", "helpers");

/** A test file with no check of its own: two tests that call the fake wrongly, two that call it rightly. */
const NESTED_TEST = `
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGitRepo } from ${JSON.stringify(join(HELPERS, "fake-github-git.ts"))};
import { startFakeGitHub } from ${JSON.stringify(join(HELPERS, "fake-github.ts"))};

async function issueToken(apiUrl) {
  const res = await fetch(apiUrl + "/app/installations/4242/access_tokens", {
    method: "POST",
    headers: { authorization: "Bearer header.payload.signature" },
  });
  return (await res.json()).token;
}

let repoDir;
beforeAll(async () => {
  repoDir = await createGitRepo({ "README.md": "models\\n" });
});
afterAll(async () => {
  await rm(repoDir, { recursive: true, force: true });
});

describe("a fake started in the test", () => {
  it("calls a route the fake does not know", async () => {
    const fake = await startFakeGitHub({ repoDir });
    const res = await fetch(fake.apiUrl + "/repos/acme/models/nonsense", {
      headers: { authorization: "token " + (await issueToken(fake.apiUrl)) },
    });
    expect(res.status).toBe(404);
    await fake.close();
  });

  it("calls only what the fake knows", async () => {
    const fake = await startFakeGitHub({ repoDir });
    const res = await fetch(fake.apiUrl + "/repos/acme/models", {
      headers: { authorization: "token " + (await issueToken(fake.apiUrl)) },
    });
    expect(res.status).toBe(200);
    await fake.close();
  });
});

describe("a fake shared by the tests of a block", () => {
  let fake;
  beforeAll(async () => {
    fake = await startFakeGitHub({ repoDir });
  });
  afterAll(async () => {
    await fake.close();
  });

  it("calls without a token the fake issued", async () => {
    const res = await fetch(fake.apiUrl + "/repos/acme/models");
    expect(res.status).toBe(401);
  });

  it("makes no call after a test that did", () => {
    expect(fake.unexpected).toHaveLength(1);
  });
});
`;

interface JsonReport {
  readonly testResults: readonly {
    readonly assertionResults: readonly { title: string; status: string; failureMessages: string[] }[];
  }[];
}

/** Runs vitest on `dir` in a child process with its own environment; resolves its exit code. */
function runNestedVitest(dir: string, reportPath: string): Promise<{ code: number | null; output: string }> {
  // The outer run's variables would make the child think it is one of its workers.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("VITEST")));
  const child = spawn(
    process.execPath,
    [
      join(WORKTREE, "node_modules", "vitest", "vitest.mjs"),
      "run",
      "--root",
      dir,
      "--reporter=json",
      `--outputFile=${reportPath}`,
    ],
    { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("the fake GitHub's own check", () => {
  let dir: string;
  let run: { code: number | null; output: string };
  let results: Map<string, { status: string; failureMessages: string[] }>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "mc-fake-guard-"));
    // The nested file imports "vitest" like any test; the link lets it resolve from the temp folder.
    await symlink(join(WORKTREE, "node_modules"), join(dir, "node_modules"), "dir");
    await writeFile(join(dir, "unexpected-calls.test.ts"), NESTED_TEST);
    const reportPath = join(dir, "report.json");
    run = await runNestedVitest(dir, reportPath);
    const report = JSON.parse(await readFile(reportPath, "utf8")) as JsonReport;
    results = new Map(report.testResults.flatMap((file) => file.assertionResults.map((r) => [r.title, r])));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("fails the run: the nested vitest exits non-zero", () => {
    expect(run.code, run.output).toBe(1);
  });

  it.each([
    ["calls a route the fake does not know", "GET /repos/acme/models/nonsense → 404"],
    ["calls without a token the fake issued", "GET /repos/acme/models → 401"],
  ])("fails '%s', whose own assertions pass, naming the call", (title, call) => {
    const result = results.get(title);
    expect(result?.status).toBe("failed");
    expect(result?.failureMessages.join("\n")).toMatch(
      /fake GitHub at http:\/\/127\.0\.0\.1:\d+ got 1 unexpected call/,
    );
    expect(result?.failureMessages.join("\n")).toContain(call);
  });

  it.each(["calls only what the fake knows", "makes no call after a test that did"])(
    "passes '%s': a test answers only for the calls made since the last check",
    (title) => {
      expect(results.get(title)?.status).toBe("passed");
    },
  );
});
