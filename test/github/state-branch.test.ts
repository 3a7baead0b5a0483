/**
 * The state branch port against the fake GitHub (a real git repository
 * behind GitHub's contents and refs protocol): branch creation from the
 * default branch, appends guarded by the blob sha, concurrent writers that
 * lose no line, and a bounded retry that fails clearly.
 */
import { rm } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitHubApiError } from "../../src/common/errors.js";
import { createRandom } from "../../src/common/random.js";
import { createOctokitClass } from "../../src/github/octokit-class.js";
import type { OctokitLike } from "../../src/github/rest-ports.js";
import { createStateBranch, STATE_BRANCH, STATE_BRANCH_README } from "../../src/github/state-branch.js";
import { commitFile, createGitRepo, git } from "../helpers/fake-github-git.js";
import { startFakeGitHub, type FakeGitHub } from "../helpers/fake-github.js";

const REPO = { owner: "acme", repo: "models" };
let fake: FakeGitHub;
let repoDir: string;
let octokit: OctokitLike;

async function installationToken(url: string): Promise<string> {
  const res = await fetch(`${url}/api/v3/app/installations/4242/access_tokens`, {
    method: "POST",
    headers: { authorization: "Bearer header.payload.signature" },
  });
  return ((await res.json()) as { token: string }).token;
}

beforeEach(async () => {
  repoDir = await createGitRepo({ "README.md": "models\n" });
  fake = await startFakeGitHub({ repoDir });
  const Octokit = createOctokitClass({ retries: 0, spaceWrites: false });
  octokit = new Octokit({
    auth: { token: await installationToken(fake.url) },
    baseUrl: fake.apiUrl,
  });
});

afterEach(async () => {
  await fake.close();
  await rm(repoDir, { recursive: true, force: true });
});

const noSleep = () => Promise.resolve();

describe("createStateBranch", () => {
  it("reads nothing while the branch is missing, then creates it as an orphan holding only a README on the first append", async () => {
    // Arrange: main carries a workflow that a branch inheriting main's files would run.
    await commitFile(repoDir, "main", ".github/workflows/ci.yml", "on: push\n", "Add CI");
    const state = createStateBranch(octokit, REPO, { sleep: noSleep });

    // Act
    const before = [await state.read("decisions/2026-11.jsonl"), await state.list("decisions")];
    const first = await state.append("decisions/2026-11.jsonl", "a\n", "log a");
    const second = await state.append("decisions/2026-11.jsonl", "b\n", "log b");

    // Assert
    expect(before).toEqual([undefined, []]);
    expect([first.attempts, second.attempts, second.size]).toEqual([1, 1, 4]);
    expect(await fake.readFile(STATE_BRANCH, "decisions/2026-11.jsonl")).toBe("a\nb\n");
    const root = await git(repoDir, ["rev-list", "--max-parents=0", `refs/heads/${STATE_BRANCH}`]);
    expect(await git(repoDir, ["rev-list", "--count", `refs/heads/${STATE_BRANCH}`])).toBe("3");
    expect(await git(repoDir, ["rev-parse", `refs/heads/${STATE_BRANCH}~2`])).toBe(root);
    expect(await git(repoDir, ["ls-tree", "--name-only", root])).toBe("README.md");
    expect(await fake.readFile(STATE_BRANCH, "README.md")).toBe(STATE_BRANCH_README);
    expect(await git(repoDir, ["ls-tree", "-r", "--name-only", `refs/heads/${STATE_BRANCH}`])).toBe(
      "README.md\ndecisions/2026-11.jsonl",
    );
    expect(await fake.readFile("main", "decisions/2026-11.jsonl")).toBeUndefined();
    const listed = await state.list("decisions");
    expect(listed.map((e) => [e.path, e.size])).toEqual([["decisions/2026-11.jsonl", 4]]);
    expect(listed[0]!.sha).toBe((await state.read("decisions/2026-11.jsonl"))!.sha);
  });

  it("loses no line when six writers, each with its own port, append at once", async () => {
    // Arrange: separate ports, as separate replicas would have.
    const writers = Array.from({ length: 6 }, (_, i) =>
      createStateBranch(octokit, REPO, { random: createRandom(i), backoffMs: 2, maxAttempts: 20 }),
    );

    // Act
    const results = await Promise.all(
      writers.map((w, i) => w.append("decisions/2026-11.jsonl", `line ${i}\n`, `log ${i}`)),
    );

    // Assert
    const text = (await fake.readFile(STATE_BRANCH, "decisions/2026-11.jsonl")) ?? "";
    expect(text.split("\n").filter(Boolean).sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => `line ${i}`));
    expect(results.some((r) => r.attempts > 1)).toBe(true);
    const conflicts = fake.callsTo("PUT", /contents/).filter((c) => c.status === 409 || c.status === 422);
    expect(conflicts.length).toBe(results.reduce((n, r) => n + r.attempts - 1, 0));
  });

  it("gives up after its bounded attempts with an error naming the file and the cause, leaving the file as it was", async () => {
    // Arrange
    const state = createStateBranch(octokit, REPO, { maxAttempts: 3, sleep: noSleep });
    await state.append("decisions/2026-11.jsonl", "kept\n", "first");
    fake.addFailures([{ method: "PUT", path: /contents/, status: 409, times: 3, message: "is at x not y" }]);

    // Act
    const error = await state.append("decisions/2026-11.jsonl", "lost\n", "second").catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as Error).message).toMatch(
      /append to decisions\/2026-11\.jsonl on meta-controller\/state of acme\/models failed: 3 attempts .*is at x not y/,
    );
    expect(await fake.readFile(STATE_BRANCH, "decisions/2026-11.jsonl")).toBe("kept\n");
  });

  it.each([
    { status: 403, message: "Resource not accessible by integration", expected: /HTTP 403.*not accessible/ },
    { status: 422, message: "Invalid request. content is not valid Base64", expected: /HTTP 422.*Base64/ },
  ])("fails at once, naming the call, on $status $message", async ({ status, message, expected }) => {
    // Arrange
    const state = createStateBranch(octokit, REPO, { sleep: noSleep });
    await state.append("decisions/2026-11.jsonl", "kept\n", "first");
    fake.addFailures([{ method: "PUT", path: /contents/, status, times: 1, message }]);

    // Act
    const error = await state.append("decisions/2026-11.jsonl", "x\n", "second").catch((e: unknown) => e);

    // Assert
    expect((error as GitHubApiError).status).toBe(status);
    expect((error as Error).message).toMatch(/append to decisions\/2026-11\.jsonl on meta-controller\/state/);
    expect((error as Error).message).toMatch(expected);
    expect(fake.callsTo("PUT", /contents/)).toHaveLength(2);
  });
});

describe("with the client's retry plugin on", () => {
  it("a lost race is retried by re-reading, never by re-sending the stale PUT", async () => {
    // Arrange: a client that retries 409s on its own, and two commits that lose on the sha.
    const Retrying = createOctokitClass({ retries: 2, spaceWrites: false });
    const retrying = new Retrying({
      auth: { token: await installationToken(fake.url) },
      baseUrl: fake.apiUrl,
    });
    const state = createStateBranch(retrying, REPO, { sleep: noSleep });
    await state.append("decisions/2026-11.jsonl", "kept\n", "first");
    fake.addFailures([{ method: "PUT", path: /contents/, status: 409, times: 2, message: "sha is stale" }]);

    // Act
    const result = await state.append("decisions/2026-11.jsonl", "new\n", "second");

    // Assert: every PUT follows its own read of the file.
    const calls = fake.calls
      .filter((c) => /\/contents\/decisions/.test(c.path))
      .slice(-6)
      .map((c) => `${c.method} ${c.status}`);
    expect(result.attempts).toBe(3);
    expect(calls).toEqual(["GET 200", "PUT 409", "GET 200", "PUT 409", "GET 200", "PUT 200"]);
    expect(await fake.readFile(STATE_BRANCH, "decisions/2026-11.jsonl")).toBe("kept\nnew\n");
  });
});

describe("files past the contents API's limit", () => {
  it("are an error naming the file and the limit, not an empty read", async () => {
    // Arrange: GitHub answers encoding "none" and no content above 1 MB.
    const stub: OctokitLike = {
      request: () =>
        Promise.resolve({
          status: 200,
          data: { type: "file", encoding: "none", content: "", sha: "abc", size: 2_000_000 },
        }),
      graphql: () => Promise.reject(new Error("unused")),
      paginate: () => Promise.reject(new Error("unused")),
    };

    // Act
    const error = await createStateBranch(stub, REPO)
      .read("decisions/2026-11.jsonl")
      .catch((e: unknown) => e);

    // Assert
    expect((error as Error).message).toMatch(/decisions\/2026-11\.jsonl .* 2000000 bytes, too large/);
  });
});
