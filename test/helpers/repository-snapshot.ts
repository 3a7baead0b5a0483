/**
 * What the checkout looks like to git, down to ignored files: tests write
 * only into temporary folders, and the comparison of two snapshots names any
 * file a test run created, changed or removed inside the repository (the
 * user's own registry under `.meta-controller/` among them).
 */
import { execFileSync } from "node:child_process";
import { lstatSync } from "node:fs";
import { join } from "node:path";

/** One path as `git status` reports it, with its size and modification time. */
export interface SnapshotEntry {
  /** The two-letter porcelain status (`??`, `!!`, ` M`, …). */
  readonly status: string;
  /** `mtimeMs:size`, or `missing` when the path is gone. */
  readonly stamp: string;
}

/** Path (relative to the root) → entry. */
export type RepositorySnapshot = ReadonlyMap<string, SnapshotEntry>;

/**
 * Paths that tools, not tests, write: the dependency link and coverage
 * reports. `dist/` is kept: tests run the build, they never make it.
 */
const TOOL_OUTPUT = [/^node_modules(\/|$)/, /^coverage(\/|$)/];

/** Reads every untracked, ignored and modified path of the checkout at `root`, with its stamp. */
export function takeRepositorySnapshot(root: string): RepositorySnapshot {
  const raw = execFileSync(
    "git",
    ["status", "--porcelain=v1", "-z", "--ignored=traditional", "--untracked-files=all"],
    { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const snapshot = new Map<string, SnapshotEntry>();
  const fields = raw.split("\0");
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (field.length < 4) continue;
    const status = field.slice(0, 2);
    const path = field.slice(3);
    // A rename carries its source path in the next field.
    if (status.startsWith("R") || status.startsWith("C")) i++;
    if (TOOL_OUTPUT.some((pattern) => pattern.test(path))) continue;
    snapshot.set(path, { status, stamp: stampOf(join(root, path)) });
  }
  return snapshot;
}

function stampOf(file: string): string {
  try {
    const stat = lstatSync(file);
    return `${stat.mtimeMs}:${stat.size}`;
  } catch {
    return "missing";
  }
}

/** The differences between two snapshots, one line per path: `created`, `removed` or `changed`. */
export function compareRepositorySnapshots(before: RepositorySnapshot, after: RepositorySnapshot): string[] {
  const changes: string[] = [];
  for (const [path, entry] of after) {
    const old = before.get(path);
    if (old === undefined) changes.push(`created or changed: ${path} (${entry.status.trim()})`);
    else if (old.status !== entry.status || old.stamp !== entry.stamp) changes.push(`changed: ${path}`);
  }
  for (const path of before.keys()) if (!after.has(path)) changes.push(`removed or restored: ${path}`);
  return changes.sort();
}

/** A setup/teardown pair that throws at teardown when the checkout at `root` changed in between. */
export function createRepositoryGuard(root: string): { setup: () => void; teardown: () => void } {
  let before: RepositorySnapshot | undefined;
  return {
    setup() {
      before = takeRepositorySnapshot(root);
    },
    teardown() {
      if (before === undefined) return;
      const changes = compareRepositorySnapshots(before, takeRepositorySnapshot(root));
      if (changes.length === 0) return;
      // vitest reports a teardown error but keeps the exit code of the tests: set it, so CI fails.
      process.exitCode = 1;
      throw new Error(
        `tests wrote inside the repository (${root}); write into os.tmpdir() instead:\n  ${changes.join("\n  ")}`,
      );
    },
  };
}
