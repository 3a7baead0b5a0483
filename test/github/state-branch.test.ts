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
import { createStateBranch, STATE_BRANCH } from "../../src/github/state-branch.js";
import { createGitRepo, git } from "../helpers/fake-github-git.js";
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
  expect(fake.unexpected).toEqual([]);
  await fake.close();
  await rm(repoDir, { recursive: true, force: true });
});

const noSleep = () => Promise.resolve();

describe("createStateBranch", () => {
  it("reads nothing while the branch is missing, then creates it from main's head on the first append", async () => {
    // Arrange
    const state = createStateBranch(octokit, REPO, { sleep: noSleep });
    const mainHead = await git(repoDir, ["rev-parse", "refs/heads/main"]);

    // Act
    const before = [await state.read("decisions/2026-11.jsonl"), await state.list("decisions")];
    const first = await state.append("decisions/2026-11.jsonl", "a\n", "log a");
    const second = await state.append("decisions/2026-11.jsonl", "b\n", "log b");

    // Assert
    expect(before).toEqual([undefined, []]);
    expect([first.attempts, second.attempts, second.size]).toEqual([1, 1, 4]);
    expect(await fake.readFile(STATE_BRANCH, "decisions/2026-11.jsonl")).toBe("a\nb\n");
    expect(await git(repoDir, ["rev-parse", `refs/heads/${STATE_BRANCH}~2`])).toBe(mainHead);
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
    };

    // Act
    const error = await createStateBranch(stub, REPO)
      .read("decisions/2026-11.jsonl")
      .catch((e: unknown) => e);

    // Assert
    expect((error as Error).message).toMatch(/decisions\/2026-11\.jsonl .* 2000000 bytes, too large/);
  });
});
