/** Shard names of the repository decision log: parsed, built, ordered and chosen. */
import { describe, expect, it } from "vitest";
import {
  buildShardPath,
  chooseShard,
  parseShardName,
  SHARD_BYTES,
  sortLogFiles,
} from "../../src/decision/decision-log-shards.js";

const NOV = new Date("2026-11-28T05:00:00Z");

describe("parseShardName and buildShardPath", () => {
  it.each([
    ["decisions/2026-11.jsonl", { month: "2026-11", part: 0 }],
    ["decisions/2026-11_01.jsonl", { month: "2026-11", part: 1 }],
    ["2026-01_12.jsonl", { month: "2026-01", part: 12 }],
    ["decisions/notes.jsonl", undefined],
    ["decisions/2026-11.json", undefined],
    ["decisions/2026-11_1.jsonl", undefined],
  ])("%s → %j", (path, key) => {
    expect(parseShardName(path)).toEqual(key);
  });

  it.each([
    [{ month: "2026-11", part: 0 }, "decisions/2026-11.jsonl"],
    [{ month: "2026-11", part: 3 }, "decisions/2026-11_03.jsonl"],
    [{ month: "2026-11", part: 123 }, "decisions/2026-11_123.jsonl"],
  ])("%j → %s, which parses back", (key, path) => {
    expect(buildShardPath(key)).toBe(path);
    expect(parseShardName(path)).toEqual(key);
  });
});

describe("sortLogFiles", () => {
  it("orders by month, then part (past 9), then other files by name", () => {
    const paths = [
      "d/extra.jsonl",
      "d/2026-11_10.jsonl",
      "d/2026-12.jsonl",
      "d/2026-11_02.jsonl",
      "d/2026-11.jsonl",
      "d/2025-12_01.jsonl",
      "d/aaa.jsonl",
      "d/2026-11_100.jsonl",
    ];

    const sorted = sortLogFiles(paths.map((path) => ({ path }))).map((f) => f.path);

    expect(sorted).toEqual([
      "d/2025-12_01.jsonl",
      "d/2026-11.jsonl",
      "d/2026-11_02.jsonl",
      "d/2026-11_10.jsonl",
      "d/2026-11_100.jsonl",
      "d/2026-12.jsonl",
      "d/aaa.jsonl",
      "d/extra.jsonl",
    ]);
  });
});

describe("chooseShard", () => {
  it.each<[string, { path: string; size: number }[], number, string]>([
    ["an empty folder", [], 600, "decisions/2026-11.jsonl"],
    [
      "only last month's shards",
      [{ path: "decisions/2026-10_04.jsonl", size: SHARD_BYTES }],
      600,
      "decisions/2026-11.jsonl",
    ],
    [
      "this month's shard with room",
      [{ path: "decisions/2026-11.jsonl", size: 1000 }],
      600,
      "decisions/2026-11.jsonl",
    ],
    [
      "a shard exactly filled by the append",
      [{ path: "decisions/2026-11.jsonl", size: SHARD_BYTES - 600 }],
      600,
      "decisions/2026-11.jsonl",
    ],
    [
      "a shard the append would overfill",
      [{ path: "decisions/2026-11.jsonl", size: SHARD_BYTES - 599 }],
      600,
      "decisions/2026-11_01.jsonl",
    ],
    [
      "the latest part of several",
      [
        { path: "decisions/2026-11.jsonl", size: SHARD_BYTES },
        { path: "decisions/2026-11_02.jsonl", size: 10 },
        { path: "decisions/2026-11_01.jsonl", size: SHARD_BYTES },
      ],
      600,
      "decisions/2026-11_02.jsonl",
    ],
    [
      "a single record larger than a shard, in an empty file",
      [{ path: "decisions/2026-11.jsonl", size: 0 }],
      SHARD_BYTES * 2,
      "decisions/2026-11.jsonl",
    ],
  ])("with %s", (_name, existing, bytes, expected) => {
    expect(chooseShard(existing, NOV, bytes)).toBe(expected);
  });
});
