/**
 * The decision log store on a state branch, over an in-memory branch: shards
 * read in log order, parsed shards reused while their blob sha stands, a
 * bad line named with branch, file and line, appends one at a time, and
 * appends made while the log is held or busy committed together.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  createRepositoryDecisionLog,
  createRepositoryLogShared,
  holdLogWrites,
} from "../../src/bot/repository-decision-log.js";
import { DataError } from "../../src/common/errors.js";
import type { Logger } from "../../src/common/logger.js";
import { SHARD_BYTES } from "../../src/decision/decision-log-shards.js";
import { formatLogLine, type OutcomeRecord } from "../../src/decision/decision-log.js";
import type { StateBranch } from "../../src/github/ports.js";

/**
 * A branch in memory that counts reads and how many appends overlap.
 * `beforeCommit` runs between choosing the file and committing, once per
 * attempt; returning true makes that attempt lose the race, as a sha
 * conflict would.
 */
function memoryBranch(
  files: Record<string, string> = {},
  beforeCommit: (attempt: number) => boolean = () => false,
) {
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
    async append(target, text) {
      counts.inFlight++;
      counts.maxInFlight = Math.max(counts.maxInFlight, counts.inFlight);
      await new Promise((r) => setTimeout(r, 5));
      for (let attempt = 1; ; attempt++) {
        const path = typeof target === "string" ? target : await target();
        if (beforeCommit(attempt)) continue;
        files[path] = `${files[path] ?? ""}${text}`;
        counts.inFlight--;
        return { attempts: attempt, size: Buffer.byteLength(files[path]), path };
      }
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

  it("skips unreadable lines, naming branch, shard and line in the log, and counts them", async () => {
    // Arrange: a line cut short, a line with a 201-character fingerprint, and good lines around them.
    const { branch } = memoryBranch({
      "decisions/2026-11.jsonl": [
        formatLogLine(outcome("a", "2026-11-01T00:00:00Z")),
        '{"v":1,"type":"outcome"}\n',
        formatLogLine(outcome("x".repeat(201), "2026-11-02T00:00:00Z")),
        formatLogLine(outcome("b", "2026-11-03T00:00:00Z")),
      ].join(""),
    });
    const warnings: string[] = [];
    const log = { warn: (o: { err: Error }) => void warnings.push(o.err.message) } as unknown as Logger;
    const shared = createRepositoryLogShared();

    // Act
    const records = await createRepositoryDecisionLog(branch, shared, "decisions", log).load();

    // Assert
    expect(records.map((r) => r.fingerprint)).toEqual(["a", "b"]);
    expect(shared.skippedLines).toBe(2);
    expect(warnings).toEqual([
      expect.stringMatching(/^meta-controller\/state:decisions\/2026-11\.jsonl:2: /),
      expect.stringMatching(/^meta-controller\/state:decisions\/2026-11\.jsonl:3: fingerprint: /),
    ]);
  });

  it.each([
    ["a 201-character fingerprint", { ...outcome("x".repeat(201), "2026-11-28T05:00:00Z") }, /fingerprint/],
    ["an empty fingerprint", { ...outcome("", "2026-11-28T05:00:00Z") }, /fingerprint/],
    ["a time that is not RFC 3339", { ...outcome("a", "yesterday") }, /at/],
  ])("refuses %s before writing anything", async (_name, record, field) => {
    // Arrange
    const { branch, files } = memoryBranch({ "decisions/2026-11.jsonl": "" });

    // Act
    const error = await createRepositoryDecisionLog(branch)
      .append([outcome("ok", "2026-11-28T05:00:00Z"), record], new Date("2026-11-28T05:00:00Z"))
      .catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(
      /^meta-controller\/state:decisions\/: refused to append record 2/,
    );
    expect((error as Error).message).toMatch(field);
    expect(files["decisions/2026-11.jsonl"]).toBe("");
  });

  it("re-chooses the shard after a lost race, so a line never lands behind a newer part", async () => {
    // Arrange: while the first attempt is in flight another writer fills the part and starts the next.
    const files: Record<string, string> = { "decisions/2026-11.jsonl": "" };
    const { branch } = memoryBranch(files, (attempt) => {
      if (attempt > 1) return false;
      files["decisions/2026-11.jsonl"] = " ".repeat(SHARD_BYTES);
      files["decisions/2026-11_01.jsonl"] = formatLogLine(outcome("other", "2026-11-28T04:59:00Z"));
      return true;
    });

    // Act
    await createRepositoryDecisionLog(branch).append(
      [outcome("mine", "2026-11-28T05:00:00Z")],
      new Date("2026-11-28T05:00:00Z"),
    );

    // Assert
    expect(files["decisions/2026-11.jsonl"]).toBe(" ".repeat(SHARD_BYTES));
    const lines = files["decisions/2026-11_01.jsonl"]!.split("\n").filter(Boolean);
    expect(lines.map((l) => (JSON.parse(l) as OutcomeRecord).fingerprint)).toEqual(["other", "mine"]);
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

  it("commits the appends made while the log is held as one batch, and later appends in a next one", async () => {
    // Arrange
    const { branch, files } = memoryBranch();
    const commits: string[] = [];
    const counted: StateBranch = {
      ...branch,
      append: (target, text, message) => {
        commits.push(message);
        return branch.append(target, text, message);
      },
    };
    const shared = createRepositoryLogShared();
    const store = createRepositoryDecisionLog(counted, shared);
    const at = new Date("2026-11-28T05:00:00Z");
    const release = holdLogWrites(shared);

    // Act: three incidents record while a rollback's writes go out; they
    // are readable at once, and written together once the hold ends.
    const held = ["a", "b", "c"].map((fp) => store.append([outcome(fp, "2026-11-28T05:00:00Z")], at));
    const readable = (await store.load()).map((r) => r.fingerprint);
    release();
    await Promise.all(held);
    await store.append([outcome("d", "2026-11-28T05:00:01Z")], at);

    // Assert
    expect(readable).toEqual(["a", "b", "c"]);
    expect(commits).toHaveLength(2);
    expect(commits[0]).toMatch(/and 2 more/);
    const lines = files["decisions/2026-11.jsonl"]!.split("\n").filter(Boolean);
    expect(lines.map((l) => (JSON.parse(l) as OutcomeRecord).fingerprint)).toEqual(["a", "b", "c", "d"]);
    expect(shared.pending).toEqual([]);
  });
});
