/**
 * Hot reload from a git remote, on real git repositories in a temp folder:
 * the server follows a commit that adds a candidate; a commit with invalid
 * YAML, a missing ref, a missing file or a remote that is down leave the
 * current models serving and say why, naming the remote, ref and path.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PushResult } from "../../src/registry/model-registry.js";
import { openGitSource, GitSourceError } from "../../src/serve/git-source.js";
import { startModelServer, type RunningServer } from "../../src/serve/start-server.js";
import { environmentYaml, pushTestModel } from "./model-fixture.js";
import { startServerProcess, waitFor } from "../helpers/processes.js";

const ENV_PATH = "environments/staging.yaml";
let dir: string;
let origin: string;
let v1: PushResult;
let v2: PushResult;

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Test",
      GIT_AUTHOR_EMAIL: "test@example.invalid",
      GIT_COMMITTER_NAME: "Test",
      GIT_COMMITTER_EMAIL: "test@example.invalid",
    },
  });
}

async function commitEnvironment(text: string, message: string): Promise<string> {
  await writeFile(join(origin, ENV_PATH), text);
  git(origin, "add", ENV_PATH);
  git(origin, "commit", "--quiet", "-m", message);
  return git(origin, "rev-parse", "HEAD").trim();
}

const yamlFor = (candidate: PushResult | null): string =>
  environmentYaml({
    model: "churn",
    registry: join(dir, "registry"),
    stable: `churn@${v1.digest}`,
    candidate: candidate === null ? null : `churn@${candidate.digest}`,
  });

/** A logger whose lines the test can read. */
function captureLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString("utf8"));
      done();
    },
  });
  return { logger: pino({ level: "info" }, stream), lines };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mc-git-"));
  v1 = await pushTestModel(join(dir, "registry"), "churn", { seed: 7 });
  v2 = await pushTestModel(join(dir, "registry"), "churn", { seed: 8 });
  origin = join(dir, "origin");
  await mkdir(join(origin, "environments"), { recursive: true });
  git(origin, "init", "--quiet", "--initial-branch=main");
  await commitEnvironment(yamlFor(null), "stable v1");
  git(origin, "tag", "stable-v1");
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function predict(server: RunningServer): Promise<number> {
  const response = await fetch(`${server.url}/v1/models/churn:predict`, {
    method: "POST",
    body: JSON.stringify({ instances: [{ x0: 0.3, x1: -1, x2: 0, x3: 1, plan: "pro" }] }),
  });
  await response.arrayBuffer();
  return response.status;
}

describe("serve --git-remote", () => {
  it("applies a commit that adds a candidate, and keeps it when the next commit is invalid YAML", async () => {
    // Arrange: no local copy of the file, so the first environment comes from the remote.
    const { logger, lines } = captureLogger();
    const cacheDir = join(dir, "cache-a");
    const server = await startModelServer({
      envFile: join(dir, "checkout-absent", ENV_PATH),
      root: dir,
      port: 0,
      host: "127.0.0.1",
      logger,
      git: { remote: `file://${origin}`, ref: "main", path: ENV_PATH, cacheDir },
      pollIntervalMs: 100,
    });
    try {
      expect(server.controller.current()?.stable?.slot.digest).toBe(v1.digest);
      expect(server.controller.current()?.candidate).toBeNull();

      // Act: a merged pull request adds the candidate.
      const good = await commitEnvironment(yamlFor(v2), "canary v2");
      await waitFor(
        () => (server.controller.current()?.candidate?.slot.digest === v2.digest ? true : undefined),
        { what: "the candidate from git" },
      );

      // Assert: served, and the status names the commit.
      expect(await predict(server)).toBe(200);
      expect(server.reloadStatus().find((s) => s.source === "git")).toMatchObject({
        outcome: "applied",
        commit: good,
      });

      // Act: a broken commit.
      const bad = await commitEnvironment("name: staging\nmodel: [churn\n", "broken");
      const failed = await waitFor(
        () => {
          const status = server.reloadStatus().find((s) => s.source === "git");
          return status?.outcome === "failed" && status.commit === bad ? status : undefined;
        },
        { what: "the broken commit to be refused" },
      );

      // Assert: the old deployment serves; the message names the remote, ref, path and line.
      expect(failed.message).toContain(`file://${origin}@main:${ENV_PATH}:`);
      expect(server.controller.current()?.candidate?.slot.digest).toBe(v2.digest);
      expect(server.controller.current()?.stable?.slot.digest).toBe(v1.digest);
      expect(await predict(server)).toBe(200);
      expect(lines.some((l) => l.includes("not applied") && l.includes(bad))).toBe(true);

      // The same broken blob is reported once, not at every poll.
      const reports = lines.filter((l) => l.includes("not applied")).length;
      await server.pollGit();
      await server.pollGit();
      expect(lines.filter((l) => l.includes("not applied")).length).toBe(reports);
    } finally {
      await server.close();
    }
  }, 60_000);

  it("keeps serving from the local file when the remote is down, and says which remote, ref and path", async () => {
    // Arrange
    const envFile = join(dir, "local", ENV_PATH);
    await mkdir(join(dir, "local", "environments"), { recursive: true });
    await writeFile(envFile, yamlFor(null));
    const down = join(dir, "no-such-remote");
    const server = await startModelServer({
      envFile,
      root: join(dir, "local"),
      port: 0,
      host: "127.0.0.1",
      logger: pino({ level: "silent" }),
      git: { remote: down, ref: "main", path: ENV_PATH },
      pollIntervalMs: 60_000,
    });
    try {
      // Act
      await server.pollGit();

      // Assert
      const status = server.reloadStatus().find((s) => s.source === "git");
      expect(status?.outcome).toBe("failed");
      expect(status?.message).toMatch(new RegExp(`"main".*${down}.*${ENV_PATH}`));
      expect(await predict(server)).toBe(200);
      expect(server.controller.current()?.stable?.slot.digest).toBe(v1.digest);
    } finally {
      await server.close();
    }
  }, 60_000);

  it("removes the temporary git cache it created when it closes", async () => {
    // Arrange
    const before = new Set((await readdir(tmpdir())).filter((n) => n.startsWith("mc-git-")));
    const server = await startModelServer({
      envFile: join(dir, "absent", ENV_PATH),
      root: dir,
      port: 0,
      host: "127.0.0.1",
      logger: pino({ level: "silent" }),
      git: { remote: origin, ref: "stable-v1", path: ENV_PATH },
      pollIntervalMs: 60_000,
    });
    const created = (await readdir(tmpdir())).filter((n) => n.startsWith("mc-git-") && !before.has(n));

    // Act
    await server.close();

    // Assert
    expect(created).toHaveLength(1);
    expect(existsSync(join(tmpdir(), created[0]!))).toBe(false);
  }, 60_000);

  it("refuses to start when the remote's file is invalid and there is no local copy", async () => {
    // Arrange: a branch whose file is not an environment.
    git(origin, "checkout", "--quiet", "-b", "broken-start");
    await commitEnvironment("name: staging\n", "incomplete");
    git(origin, "checkout", "--quiet", "main");

    // Act
    const starting = startModelServer({
      envFile: join(dir, "absent", ENV_PATH),
      root: dir,
      port: 0,
      host: "127.0.0.1",
      logger: pino({ level: "silent" }),
      git: { remote: origin, ref: "broken-start", path: ENV_PATH, cacheDir: join(dir, "cache-b") },
    });

    // Assert
    await expect(starting).rejects.toThrow(`${origin}@broken-start:${ENV_PATH}:`);
  }, 60_000);
});

describe("meta-controller serve --git-remote (process)", () => {
  it("follows the ref from the command line and drains on SIGTERM", async () => {
    // Arrange: a branch of its own, and a root without a copy of the file.
    git(origin, "branch", "cli", "stable-v1");
    const root = join(dir, "cli-root");
    await mkdir(root, { recursive: true });
    const server = await startServerProcess([
      "--root",
      root,
      "--env",
      ENV_PATH,
      "--git-remote",
      `file://${origin}`,
      "--git-ref",
      "cli",
      "--poll-interval",
      "1s",
    ]);
    try {
      // Act
      git(origin, "checkout", "--quiet", "cli");
      await commitEnvironment(yamlFor(v2), "canary v2 on cli");
      git(origin, "checkout", "--quiet", "main");

      // Assert
      await waitFor(
        async () => {
          const text = await (await fetch(`${server.url}/metrics`)).text();
          return text.includes(`digest="${v2.digest}",role="candidate"`) ? true : undefined;
        },
        { what: "the candidate from the cli branch" },
      );
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 90_000);

  it.each([
    [["--poll-interval", "500ms"], /--poll-interval 500ms: expected a duration from 1s to 24h/],
    [["--git-remote", "-x"], /git remote "-x"/],
    [["--env", "/elsewhere/staging.yaml", "--git-remote", "x"], /must be inside the repository/],
    [
      ["--prediction-buckets", "1,1"],
      /--prediction-buckets 1,1: expected comma-separated increasing numbers/,
    ],
  ])(
    "refuses %j",
    async (args, message) => {
      // Act
      const starting = startServerProcess(["--root", dir, "--env", ENV_PATH, ...args]);

      // Assert
      await expect(starting).rejects.toThrow(message);
    },
    60_000,
  );
});

describe("openGitSource", () => {
  it.each([
    ["a missing ref", () => origin, "no-such-branch", ENV_PATH, /no-such-branch.*couldn't find remote ref/],
    [
      "a missing file",
      () => origin,
      "main",
      "environments/prod.yaml",
      /environments\/prod\.yaml does not exist at main/,
    ],
    [
      "a remote that is down",
      () => join(dir, "gone.git"),
      "main",
      ENV_PATH,
      /cannot fetch ref "main" from git remote .*gone\.git/,
    ],
    [
      "a directory, not a file",
      () => origin,
      "main",
      "environments",
      /environments at main .* is a tree, not a file/,
    ],
  ])("names the remote, ref and path for %s", async (_case, remote, ref, path, pattern) => {
    // Arrange
    const source = await openGitSource({ remote: remote(), ref, path, cacheDir: join(dir, "cache-c") });

    // Act
    const reading = source.fetchSnapshot();

    // Assert
    await expect(reading).rejects.toThrow(GitSourceError);
    await expect(reading).rejects.toThrow(pattern);
  });

  it.each([
    ["--upload-pack=touch /tmp/x", "main", ENV_PATH, /git remote/],
    ["origin", "-main", ENV_PATH, /git ref/],
    ["origin", "main", "../secret.yaml", /git path/],
    ["origin", "main", "/etc/passwd", /git path/],
  ])("refuses remote %s ref %s path %s before running git", async (remote, ref, path, pattern) => {
    // Act
    const opening = openGitSource({ remote, ref, path, cacheDir: join(dir, "cache-d") });

    // Assert
    await expect(opening).rejects.toThrow(pattern);
  });

  it("reads the file's text at the fetched commit and a new blob only after it changes", async () => {
    // Arrange
    const source = await openGitSource({
      remote: origin,
      ref: "main",
      path: ENV_PATH,
      cacheDir: join(dir, "cache-e"),
    });
    const first = await source.fetchSnapshot();

    // Act
    const again = await source.fetchSnapshot();
    const head = await commitEnvironment(
      yamlFor(null).replace("min_requests: 10", "min_requests: 11"),
      "tweak",
    );
    const changed = await source.fetchSnapshot();

    // Assert
    expect(again.blob).toBe(first.blob);
    expect(changed.commit).toBe(head);
    expect(changed.blob).not.toBe(first.blob);
    expect(await source.readBlob(changed)).toContain("min_requests: 11");
  });
});
