/**
 * The decision log store on a state branch, over an in-memory branch: shards
 * read in log order, parsed shards reused while their blob sha stands, a
 * bad line named with branch, file and line, appends one at a time.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createRepositoryDecisionLog } from "../../src/bot/repository-decision-log.js";
import { SHARD_BYTES } from "../../src/decision/decision-log-shards.js";
import { formatLogLine, type OutcomeRecord } from "../../src/decision/decision-log.js";
import type { StateBranch } from "../../src/github/ports.js";

/** A branch in memory that counts reads and how many appends overlap. */
function memoryBranch(files: Record<string, string> = {}) {
  const counts = { reads: 0, inFlight: 0, maxInFlight: 0 };
  const sha = (text: string) => createHash("sha1").update(text).digest("hex");
  const branch: StateBranch = {
    branch: "meta-controller/state",
    list: (dir) =>
      Promise.resolve(
        Object.entries(files)
          .filter(([path]) => path.startsWith(`${dir}/`))
          .map(([path, text]) => ({ path, sha: sha(text), size: Buffer.byteLength(text) })),
      ),
    read(path) {
      counts.reads++;
      const text = files[path];
      return Promise.resolve(text === undefined ? undefined : { text, sha: sha(text) });
    },
    async append(path, text) {
      counts.inFlight++;
      counts.maxInFlight = Math.max(counts.maxInFlight, counts.inFlight);
      await new Promise((r) => setTimeout(r, 5));
      files[path] = `${files[path] ?? ""}${text}`;
      counts.inFlight--;
      return { attempts: 1, size: Buffer.byteLength(files[path]) };
    },
  };
  return { branch, files, counts };
}

const outcome = (fingerprint: string, at: string): OutcomeRecord => ({
  v: 1,
  type: "outcome",
  at,
  fingerprint,
  event: "resolved",
});

describe("createRepositoryDecisionLog", () => {
  it("reads shards in log order and re-reads only the ones whose sha changed", async () => {
    // Arrange
    const { branch, files, counts } = memoryBranch({
      "decisions/2026-11_10.jsonl": formatLogLine(outcome("c", "2026-11-20T00:00:00Z")),
      "decisions/2026-10.jsonl": formatLogLine(outcome("a", "2026-10-01T00:00:00Z")),
      "decisions/2026-11_02.jsonl": formatLogLine(outcome("b", "2026-11-10T00:00:00Z")),
      "decisions/notes.txt": "not a shard",
    });
    const store = createRepositoryDecisionLog(branch);

    // Act
    const first = await store.load();
    const readsAfterFirst = counts.reads;
    const second = await store.load();
    files["decisions/2026-11_10.jsonl"] += formatLogLine(outcome("d", "2026-11-21T00:00:00Z"));
    const third = await store.load();

    // Assert
    expect(first.map((r) => r.fingerprint)).toEqual(["a", "b", "c"]);
    expect(second).toEqual(first);
    expect(third.map((r) => r.fingerprint)).toEqual(["a", "b", "c", "d"]);
    expect([readsAfterFirst, counts.reads]).toEqual([3, 4]);
  });

  it("names the branch, shard and line of a bad record", async () => {
    const { branch } = memoryBranch({ "decisions/2026-11.jsonl": '{"v":1,"type":"outcome"}\n' });

    await expect(createRepositoryDecisionLog(branch).load()).rejects.toThrow(
      /^meta-controller\/state:decisions\/2026-11\.jsonl:1: /,
    );
  });

  it("appends to this month's shard, starts the next part when it is full, and runs one append at a time", async () => {
    // Arrange
    const { branch, files, counts } = memoryBranch({
      "decisions/2026-10.jsonl": "",
      "decisions/2026-11.jsonl": " ".repeat(SHARD_BYTES - 10),
    });
    const store = createRepositoryDecisionLog(branch);
    const at = new Date("2026-11-28T05:00:00Z");

    // Act
    await Promise.all(["x", "y", "z"].map((fp) => store.append([outcome(fp, "2026-11-28T05:00:00Z")], at)));

    // Assert
    expect(Object.keys(files).sort()).toEqual([
      "decisions/2026-10.jsonl",
      "decisions/2026-11.jsonl",
      "decisions/2026-11_01.jsonl",
    ]);
    expect(files["decisions/2026-11.jsonl"]).toHaveLength(SHARD_BYTES - 10);
    const appended = files["decisions/2026-11_01.jsonl"]!.split("\n").filter(Boolean);
    expect(appended.map((l) => (JSON.parse(l) as OutcomeRecord).fingerprint)).toEqual(["x", "y", "z"]);
    expect(counts.maxInFlight).toBe(1);
  });
});
