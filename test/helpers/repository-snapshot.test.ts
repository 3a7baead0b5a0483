/** The repository guard sees what a test run wrote into a checkout, ignored files included. */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  compareRepositorySnapshots,
  createRepositoryGuard,
  takeRepositorySnapshot,
} from "./repository-snapshot.js";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A git repository with one tracked file, an ignored registry holding one blob, and node_modules ignored. */
function createCheckout(): string {
  const root = mkdtempSync(join(tmpdir(), "mc-guard-"));
  folders.push(root);
  const git = (...args: string[]) => execFileSync("git", args, { cwd: root, stdio: "pipe" });
  git("init", "-q");
  writeFileSync(join(root, ".gitignore"), ".meta-controller/\nnode_modules/\n");
  writeFileSync(join(root, "README.md"), "# project\n");
  mkdirSync(join(root, ".meta-controller/registry"), { recursive: true });
  writeFileSync(join(root, ".meta-controller/registry/index.json"), '{"tags":{"commit":"a"}}');
  git("add", "-A");
  git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "init");
  return root;
}

describe("repository guard", () => {
  it("finds nothing when nothing was written", () => {
    const root = createCheckout();
    const before = takeRepositorySnapshot(root);
    expect(compareRepositorySnapshots(before, takeRepositorySnapshot(root))).toEqual([]);
  });

  it("names a rewritten ignored registry file, a new untracked file and an edited tracked file", () => {
    // Arrange
    const root = createCheckout();
    const before = takeRepositorySnapshot(root);

    // Act: what a careless test does, with the clock moved so the mtime differs whatever the file system's resolution.
    const index = join(root, ".meta-controller/registry/index.json");
    writeFileSync(index, '{"tags":{"commit":"b"}}');
    utimesSync(index, new Date(2000, 0, 1), new Date(2000, 0, 1));
    writeFileSync(join(root, "trials.jsonl"), "{}\n");
    writeFileSync(join(root, "README.md"), "# changed\n");
    mkdirSync(join(root, "node_modules"));
    writeFileSync(join(root, "node_modules/tool-cache"), "x");

    // Assert
    expect(compareRepositorySnapshots(before, takeRepositorySnapshot(root))).toEqual([
      "changed: .meta-controller/registry/index.json",
      "created or changed: README.md (M)",
      "created or changed: trials.jsonl (??)",
    ]);
  });

  it("throws at teardown, naming the path, when a file appeared in between", () => {
    const root = createCheckout();
    const guard = createRepositoryGuard(root);
    guard.setup();
    writeFileSync(join(root, ".meta-controller/registry/blob"), "model");
    const exitCode = process.exitCode;
    try {
      expect(() => guard.teardown()).toThrow(
        /tests wrote inside the repository.*\n.*\.meta-controller\/registry\/blob/,
      );
      // The guard marks the process as failed, as vitest would otherwise exit 0.
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = exitCode;
    }
  });
});
