/**
 * The decision log as a local file (`DECISION_LOG`, the CLI's `--log`): a
 * missing file is an empty log, an unreadable one is an error naming it,
 * appends are validated before anything is written, and the bot's lenient
 * read skips bad lines and reports each one.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DataError } from "../../src/common/errors.js";
import { createFileDecisionLogStore } from "../../src/decision/decision-log-file.js";
import { formatLogLine, type OutcomeRecord } from "../../src/decision/decision-log.js";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mc-file-log-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const outcome = (fingerprint: string, minute: number): OutcomeRecord => ({
  v: 1,
  type: "outcome",
  at: new Date(Date.UTC(2026, 10, 28, 2, minute)).toISOString(),
  fingerprint,
  event: "resolved",
});

describe("createFileDecisionLogStore", () => {
  it("reads a missing file as an empty log, then reads back what it appended", async () => {
    // Arrange
    const path = join(dir, "decisions.jsonl");
    const store = createFileDecisionLogStore(path);

    // Act
    const before = await store.load();
    await store.append([outcome("a", 0), outcome("b", 1)], new Date());
    await store.append([outcome("c", 2)], new Date());

    // Assert
    expect(before).toEqual([]);
    expect((await store.load()).map((r) => r.fingerprint)).toEqual(["a", "b", "c"]);
  });

  it("names the path when the file cannot be read", async () => {
    // Arrange: a folder where the file should be.
    const path = join(dir, "decisions.jsonl");
    await mkdir(path);

    // Act
    const error = await createFileDecisionLogStore(path)
      .load()
      .catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(
      new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: cannot read the decision log \\(EISDIR`),
    );
  });

  it("refuses an invalid record and writes none of the batch", async () => {
    // Arrange
    const path = join(dir, "decisions.jsonl");
    const store = createFileDecisionLogStore(path);
    await store.append([outcome("kept", 0)], new Date());

    // Act
    const error = await store
      .append([outcome("fine", 1), outcome("x".repeat(201), 2)], new Date())
      .catch((e: unknown) => e);

    // Assert
    expect((error as Error).message).toMatch(/refused to append record 2 \(outcome\): fingerprint: /);
    expect(await readFile(path, "utf8")).toBe(formatLogLine(outcome("kept", 0)));
  });

  it.each([
    ["without", false],
    ["with", true],
  ])("skips a bad line %s a handler, which is told of each one", async (_name, counted) => {
    // Arrange
    const path = join(dir, "decisions.jsonl");
    await writeFile(path, `${formatLogLine(outcome("a", 0))}{cut sh\n${formatLogLine(outcome("b", 1))}`);
    const skipped: string[] = [];
    const store = createFileDecisionLogStore(
      path,
      counted ? { onSkipped: (e) => void skipped.push(e.message) } : {},
    );

    // Act
    const result = await store.load();

    // Assert
    expect((result as OutcomeRecord[]).map((r) => r.fingerprint)).toEqual(["a", "b"]);
    expect(skipped).toEqual(counted ? [expect.stringMatching(/decisions\.jsonl:2: not valid JSON/)] : []);
  });
});
