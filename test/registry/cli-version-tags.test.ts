/**
 * `v<N>` tags belong to pushes, through the built CLI: `registry tag
 * churn:v1 v5` is refused with a message that says why, so the next push is
 * still `v2` and no `v5` points at v1's model. Other tags are accepted.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli } from "../helpers/processes.js";
import { sampleBytes, sampleCard } from "./sample-model.js";

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "mc-version-tags-"));
  await writeFile(join(root, "model.onnx"), sampleBytes(300, 5));
  await writeFile(join(root, "card.json"), JSON.stringify({ ...sampleCard(), name: "churn" }));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function cli(args: readonly string[]) {
  return runCli(["--root", root, "registry", ...args, "--registry", join(root, "registry")], { cwd: root });
}

it("refuses a v<N> tag, with or without --force, and the next push keeps the numbering", async () => {
  const first = await cli(["push", "--model", "model.onnx", "--card", "card.json", "--json"]);
  expect(first.code, first.stderr).toBe(0);

  for (const extra of [[], ["--force"]]) {
    const tagged = await cli(["tag", "churn:v1", "v5", ...extra]);
    expect(tagged.code).toBe(1);
    expect(tagged.stderr).toContain("cannot tag churn:v1 as churn:v5: v<N> tags are reserved for pushes");
  }
  const named = await cli(["tag", "churn:v1", "release-5"]);
  expect(named.code, named.stderr).toBe(0);

  const second = await cli([
    "push",
    "--model",
    "model.onnx",
    "--card",
    "card.json",
    "--commit",
    "fedcba9",
    "--json",
  ]);
  expect(second.code, second.stderr).toBe(0);
  expect((JSON.parse(second.stdout) as { ref: string }).ref).toBe("churn:v2");
  const listed = await cli(["list", "churn", "--json"]);
  const tags = (JSON.parse(listed.stdout) as { models: { tags: { tag: string }[] }[] }).models[0]!.tags;
  expect(tags.map((t) => t.tag).sort()).toEqual(["0123456", "fedcba9", "release-5", "v1", "v2"]);
});
