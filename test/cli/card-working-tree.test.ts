/**
 * The model card says when the files a model was built from are not as
 * committed, through the built CLI: trained from a clean checkout the card
 * records `git_dirty: false`; trained after editing the pipeline and the
 * data it records `git_dirty: true` and the SHA-256 of each file as read.
 */
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { createGitRepo, git } from "../helpers/fake-github-git.js";
import { churnPipeline, readChurnLines } from "../helpers/churn-pipeline.js";
import { runCli } from "../helpers/processes.js";

const PIPELINE = churnPipeline({
  name: "churn_card",
  modelType: "logistic_regression",
  numeric: "age, tenure, monthly_charges",
});

interface Card {
  git_commit: string;
  git_dirty?: boolean;
  uncommitted_files?: { path: string; sha256: string; status: string }[];
}

async function trainAndInspect(root: string, version: string): Promise<Card> {
  const registry = ["--registry", join(root, ".meta-controller", "registry")];
  const trained = await runCli(["train", "p.yaml", "--json", ...registry], { cwd: root, timeoutMs: 120_000 });
  expect(trained.code, trained.stderr).toBe(0);
  const inspected = await runCli(["registry", "inspect", `churn_card:${version}`, "--json", ...registry], {
    cwd: root,
  });
  expect(inspected.code, inspected.stderr).toBe(0);
  return (JSON.parse(inspected.stdout) as { card: Card }).card;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

it("records git_dirty and the working-tree hashes of the edited pipeline and data", async () => {
  const lines = await readChurnLines(400);
  const root = await createGitRepo({
    "p.yaml": PIPELINE,
    "data.csv": `${lines.slice(0, 401).join("\n")}\n`,
    ".gitignore": ".meta-controller/\n",
  });
  const head = await git(root, ["rev-parse", "HEAD"]);

  const clean = await trainAndInspect(root, "v1");
  const editedData = `${lines.slice(0, 351).join("\n")}\n`;
  const editedPipeline = `${PIPELINE}  seed: 7\n`;
  await writeFile(join(root, "data.csv"), editedData);
  await writeFile(join(root, "p.yaml"), editedPipeline);
  const dirty = await trainAndInspect(root, "v2");

  expect(clean.git_commit).toBe(head);
  expect(clean.git_dirty).toBe(false);
  expect(clean.uncommitted_files).toBeUndefined();
  expect(dirty.git_commit).toBe(head);
  expect(dirty.git_dirty).toBe(true);
  expect(dirty.uncommitted_files).toEqual([
    { path: "p.yaml", sha256: sha256(editedPipeline), status: "modified" },
    { path: "data.csv", sha256: sha256(editedData), status: "modified" },
  ]);
});
