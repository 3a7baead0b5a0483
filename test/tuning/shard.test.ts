import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError, UsageError } from "../../src/common/errors.js";
import { mergeTrials } from "../../src/tuning/merge-trials.js";
import type { SamplerSpec, Trial } from "../../src/tuning/samplers.js";
import { parseShard, type Shard } from "../../src/tuning/shard.js";
import { buildSearchSpace, type Params, type SearchSpace } from "../../src/tuning/space.js";
import { buildStudyIdentity, runStudy, type StudyOptions } from "../../src/tuning/study.js";
import {
  createTrialsWriter,
  formatTrialsFile,
  mergeTrialsFiles,
  parseTrialsFile,
} from "../../src/tuning/trials-file.js";

function strip(trials: readonly Trial[]): unknown[] {
  return trials.map((t) => ({ number: t.number, params: t.params, score: t.score }));
}

const gridSpace = buildSearchSpace({
  max_depth: [3, 5, 8, null],
  learning_rate: [0.03, 0.1, 0.3],
  min_samples_leaf: [1, 5, 20],
});
const mixedSpace = buildSearchSpace({
  learning_rate: { type: "float", low: 0.01, high: 0.5, log: true },
  max_leaf_nodes: { type: "int", low: 4, high: 128 },
  max_depth: [4, 8, null],
});

/** A bumpy score with a unique best, so ties do not hide a wrong merge. */
function score(params: Params): number {
  const text = JSON.stringify(params);
  let h = 7;
  for (const ch of text) h = (h * 131 + ch.charCodeAt(0)) % 1_000_003;
  return h / 1_000_003;
}

function studyOptions(space: SearchSpace, sampler: SamplerSpec, shard?: Shard): StudyOptions {
  return {
    space,
    sampler,
    nTrials: 30,
    direction: "maximize",
    seed: 42,
    objective: (params) => Promise.resolve(score(params)),
    concurrency: 3,
    ...(shard === undefined ? {} : { shard }),
  };
}

async function runShards(space: SearchSpace, sampler: SamplerSpec, count: number): Promise<string[]> {
  const texts: string[] = [];
  for (let index = 1; index <= count; index++) {
    const result = await runStudy(studyOptions(space, sampler, { index, count }));
    texts.push(formatTrialsFile(result));
  }
  return texts;
}

describe("parseShard", () => {
  it.each([
    ["1/1", { index: 1, count: 1 }],
    ["2/4", { index: 2, count: 4 }],
    [" 4 / 4 ", { index: 4, count: 4 }],
  ])("reads %j", (text, shard) => {
    expect(parseShard(text)).toEqual(shard);
  });

  it.each([
    ["0/4", /1 ≤ i ≤ n, got 0\/4/],
    ["5/4", /1 ≤ i ≤ n, got 5\/4/],
    ["1/0", /1 ≤ i ≤ n, got 1\/0/],
    ["2-4", /--shard must look like i\/n \(for example 2\/4\), got "2-4"/],
    ["a/b", /--shard must look like i\/n/],
    ["", /--shard must look like i\/n/],
  ])("rejects %j", (text, message) => {
    expect(() => parseShard(text)).toThrow(UsageError);
    expect(() => parseShard(text)).toThrow(message);
  });
});

describe("sharded studies", () => {
  it.each<{ name: string; space: SearchSpace; sampler: SamplerSpec }>([
    { name: "grid", space: gridSpace, sampler: { type: "grid" } },
    { name: "random", space: mixedSpace, sampler: { type: "random" } },
  ])("$name: merging 4 shards gives exactly the unsharded study", async ({ space, sampler }) => {
    // Arrange
    const whole = await runStudy(studyOptions(space, sampler));

    // Act
    const files = (await runShards(space, sampler, 4)).map((text, i) =>
      parseTrialsFile(text, `trials-${i + 1}.jsonl`),
    );
    const merged = mergeTrialsFiles(files);

    // Assert
    expect(strip(merged.trials)).toEqual(strip(whole.trials));
    expect(merged.best?.params).toEqual(whole.best?.params);
    expect(merged.best?.number).toBe(whole.best?.number);
    expect(merged.shards).toEqual([1, 2, 3, 4]);
    expect(files.map((f) => f.trials.length)).toEqual(sampler.type === "grid" ? [9, 9, 9, 9] : [8, 8, 7, 7]);
  });

  it("tpe: each shard runs its own TPE; the merged best is the same on every run", async () => {
    const first = mergeTrialsFiles(
      (await runShards(mixedSpace, { type: "tpe" }, 3)).map((t, i) => parseTrialsFile(t, `s${i}`)),
    );
    const second = mergeTrialsFiles(
      (await runShards(mixedSpace, { type: "tpe" }, 3)).map((t, i) => parseTrialsFile(t, `s${i}`)),
    );
    expect(strip(second.trials)).toEqual(strip(first.trials));
    expect(first.trials.map((t) => t.number)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(strip([second.best!])).toEqual(strip([first.best!]));
  });

  it("tpe: one shard of one is the unsharded study", async () => {
    const whole = await runStudy(studyOptions(mixedSpace, { type: "tpe" }));
    const single = await runStudy(studyOptions(mixedSpace, { type: "tpe" }, { index: 1, count: 1 }));
    expect(strip(single.trials)).toEqual(strip(whole.trials));
  });

  it("streams a header and one line per trial through the writer", async () => {
    const lines: string[] = [];
    const options = studyOptions(gridSpace, { type: "grid" }, { index: 2, count: 4 });
    const writer = createTrialsWriter({ write: (s: string) => lines.push(s) }, buildStudyIdentity(options), {
      index: 2,
      count: 4,
    });
    await runStudy({ ...options, onTrial: (trial) => writer.write(trial) });
    const parsed = parseTrialsFile(lines.join(""), "streamed.jsonl");
    expect(lines).toHaveLength(10);
    expect(parsed.header.study).toMatchObject({ seed: 42, direction: "maximize", sampler: { type: "grid" } });
    expect(parsed.trials.map((t) => t.number)).toEqual([1, 5, 9, 13, 17, 21, 25, 29, 33]);
  });
});

describe("mergeTrials reads shard files from disk", () => {
  let dir = "";
  let good: string[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "trials-"));
    const texts = await runShards(gridSpace, { type: "grid" }, 2);
    good = await Promise.all(
      texts.map(async (text, i) => {
        const path = join(dir, `shard-${i + 1}.jsonl`);
        await writeFile(path, text);
        return path;
      }),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("merges the shards of one study", async () => {
    const whole = await runStudy(studyOptions(gridSpace, { type: "grid" }));
    const merged = await mergeTrials(good);
    expect(merged.best?.params).toEqual(whole.best?.params);
    expect(merged.trials).toHaveLength(36);
  });

  it("names the file that belongs to another study", async () => {
    const other = join(dir, "other-seed.jsonl");
    const result = await runStudy({
      ...studyOptions(gridSpace, { type: "grid" }, { index: 2, count: 2 }),
      seed: 7,
    });
    await writeFile(other, formatTrialsFile(result));
    const merging = mergeTrials([good[0]!, other]);
    await expect(merging).rejects.toThrow(DataError);
    await expect(merging).rejects.toThrow(
      /other-seed\.jsonl belongs to another study than .*shard-1\.jsonl: seed 7 instead of 42/,
    );
  });

  it("names both files when a shard is given twice", async () => {
    await expect(mergeTrials([good[0]!, good[0]!])).rejects.toThrow(
      /shard-1\.jsonl and .*shard-1\.jsonl are both shard 1\/2/,
    );
  });

  it("refuses a merge with a missing shard unless asked", async () => {
    await expect(mergeTrials([good[1]!])).rejects.toThrow(/shards 1\/2 are missing from the merge/);
    const partial = await mergeTrials([good[1]!], { allowMissingShards: true });
    expect(partial.shards).toEqual([2]);
  });

  it.each([
    [
      "not JSON",
      (lines: string[]) => [...lines.slice(0, 3), "{oops", ...lines.slice(3)],
      /broken\.jsonl:4: not a JSON line/,
    ],
    [
      "no header",
      (lines: string[]) => lines.slice(1),
      /broken\.jsonl:1: the first line must be the study header/,
    ],
    [
      "a trial of another shard",
      (lines: string[]) => [lines[0]!, lines[1]!.replace('"number":0', '"number":1')],
      /broken\.jsonl:2: trial 1 does not belong to shard 1\/2/,
    ],
    [
      "a NaN score",
      (lines: string[]) => [lines[0]!, lines[1]!.replace(/"score":[^,]+/, '"score":null')],
      /broken\.jsonl:2: "score" must be a finite number/,
    ],
    [
      "a repeated trial",
      (lines: string[]) => [lines[0]!, lines[1]!, lines[1]!],
      /broken\.jsonl:3: trial 0 appears twice/,
    ],
    ["an empty file", () => [], /broken\.jsonl: empty trials file/],
  ])("names the file and line of %s", async (_what, edit, message) => {
    const lines = (await readFile(good[0]!, "utf8")).trimEnd().split("\n");
    const path = join(dir, "broken.jsonl");
    await writeFile(path, edit(lines).join("\n"));
    await expect(mergeTrials([path, good[1]!])).rejects.toThrow(message);
  });

  it("names a file it cannot read", async () => {
    await expect(mergeTrials([join(dir, "absent.jsonl")])).rejects.toThrow(
      /absent\.jsonl: cannot read the trials file/,
    );
  });
});
