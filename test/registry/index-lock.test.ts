/**
 * The index lock's takeover of a dead holder's lock, with many contenders at
 * once: exactly one takes it over, and no two ever hold the lock together.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nodeFileSystem } from "../../src/registry/fs-port.js";
import { acquireLock, isProcessAlive, type LockSettings } from "../../src/registry/index-lock.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mc-index-lock-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const settings: LockSettings = {
  fileSystem: nodeFileSystem,
  now: Date.now,
  // Random short waits shuffle the contenders' interleavings.
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.random() * ms)),
  lockTimeoutMs: 30_000,
};

/** The PID of a process that has exited. */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ["-e", "0"]).pid;
  expect(isProcessAlive(pid)).toBe(false);
  return pid;
}

describe("index lock: stale lock takeover", () => {
  it("lets exactly one of many contenders take over a dead holder's lock, and never two hold it", async () => {
    // Repeated: the dangerous interleavings around a takeover are narrow.
    for (let round = 0; round < 20; round += 1) {
      const path = join(dir, `index-${round}.json.lock`);
      const dead = {
        pid: deadPid(),
        hostname: hostname(),
        acquired_at: new Date().toISOString(),
        token: "dead",
      };
      await writeFile(path, JSON.stringify(dead));
      let inside = 0;
      let most = 0;
      const takeovers: string[] = [];

      await Promise.all(
        Array.from({ length: 12 }, async () => {
          const lock = await acquireLock(settings, path);
          takeovers.push(...lock.takenOver);
          inside += 1;
          most = Math.max(most, inside);
          await settings.sleep(2);
          inside -= 1;
          await lock.release();
        }),
      );

      expect(most, `round ${round}`).toBe(1);
      expect(takeovers).toEqual([
        expect.stringContaining(`its holder (pid ${dead.pid} on ${hostname()}) is gone`),
      ]);
    }
  });
});
