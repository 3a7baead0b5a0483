/**
 * The lock file that serialises changes to a layout's `index.json`, with
 * safe recovery from a holder that died (`kill -9`, a power cut) while it
 * held the lock.
 *
 * The lock file holds JSON `{pid, hostname, acquired_at, token}`. It is
 * published with `link(2)` from a complete temp file, so it never exists
 * empty or half-written. A lock is stale when its holder's PID is gone on
 * this host, or when the file is older than {@link LOCK_STALE_MS}: a live
 * holder refreshes the file's mtime every quarter of that bound, so only a
 * holder that stopped (another host's crashed process, a reused PID) ages
 * past it.
 *
 * Taking over a stale lock: a contender first takes the "break" lock
 * (`index.json.lock.break`, created the same exclusive way), re-reads the
 * lock and checks it is still the same stale one (same token), renames it
 * aside and removes it, then releases the break lock and competes for the
 * lock with an exclusive create like everyone else. Only one contender can
 * hold the break lock, and only the exclusive create grants the lock, so two
 * contenders never both win.
 */
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { randomUUID } from "node:crypto";
import { RegistryError } from "../common/errors.js";
import { describeFileError, errorCode, type FileSystem, temporaryPathFor } from "./fs-port.js";

/**
 * A lock whose file was not refreshed for this long is stale even when its
 * PID cannot be checked (another host, or a PID that was reused). A live
 * holder refreshes it every `LOCK_STALE_MS / 4`.
 */
export const LOCK_STALE_MS = 30_000;

/** What a lock file records about its holder. */
export interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  /** When the lock was taken, RFC 3339. */
  readonly acquired_at: string;
  /** Unique per acquisition: a takeover removes only the lock it judged stale. */
  readonly token: string;
}

/** Settings a lock needs: the file system, a clock, a sleep and the bounds. */
export interface LockSettings {
  readonly fileSystem: FileSystem;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** How long to wait for a live holder before giving up. */
  readonly lockTimeoutMs: number;
  /** Age past which an unrefreshed lock is stale; {@link LOCK_STALE_MS} by default. */
  readonly lockStaleMs?: number;
}

/** True when a process with this PID runs on this host (EPERM: it runs as another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === "EPERM";
  }
}

/** Reads a lock file's owner; undefined when it is gone or unreadable. */
async function readOwner(settings: LockSettings, path: string): Promise<LockOwner | undefined> {
  try {
    const value = JSON.parse(new TextDecoder().decode(await settings.fileSystem.readFile(path))) as unknown;
    if (typeof value !== "object" || value === null) return undefined;
    const owner = value as Partial<LockOwner>;
    if (
      typeof owner.pid !== "number" ||
      typeof owner.hostname !== "string" ||
      typeof owner.token !== "string"
    )
      return undefined;
    return owner as LockOwner;
  } catch {
    return undefined;
  }
}

/** Why the lock at `path` is stale, or undefined when its holder may still be working. */
async function judgeStale(
  settings: LockSettings,
  path: string,
): Promise<{ reason: string; token: string | undefined } | undefined> {
  const info = await settings.fileSystem.stat(path);
  if (info === undefined) return undefined;
  const owner = await readOwner(settings, path);
  if (owner !== undefined && owner.hostname === hostname() && !isProcessAlive(owner.pid)) {
    return { reason: `its holder (pid ${owner.pid} on ${owner.hostname}) is gone`, token: owner.token };
  }
  const age = settings.now() - info.mtimeMs;
  const bound = settings.lockStaleMs ?? LOCK_STALE_MS;
  if (age > bound) {
    const who = owner === undefined ? "an unknown holder" : `pid ${owner.pid} on ${owner.hostname}`;
    return {
      reason: `${who} has not refreshed it for ${Math.round(age)} ms (bound ${bound} ms)`,
      token: owner?.token,
    };
  }
  return undefined;
}

/** Publishes `owner` at `path` only if nothing is there: a complete temp file, then `link`. */
async function createExclusive(settings: LockSettings, path: string, owner: LockOwner): Promise<boolean> {
  const temporary = temporaryPathFor(path);
  const { fileSystem } = settings;
  try {
    // Not flushed: after a power cut a torn lock file is older than the stale bound anyway.
    await fileSystem.writeFile(temporary, new TextEncoder().encode(`${JSON.stringify(owner)}\n`), {
      exclusive: true,
      sync: false,
    });
    await fileSystem.link(temporary, path);
    return true;
  } catch (error) {
    if (errorCode(error) === "EEXIST") return false;
    throw describeFileError(error, "lock", path);
  } finally {
    await fileSystem.remove(temporary).catch(() => undefined);
  }
}

function newOwner(settings: LockSettings): LockOwner {
  return {
    pid: process.pid,
    hostname: hostname(),
    acquired_at: new Date(settings.now()).toISOString(),
    token: randomUUID(),
  };
}

/**
 * Removes `path` if it still holds `token` (or, with no token, if it is still
 * stale): renamed aside first. True when this call removed it.
 */
async function removeIfStill(
  settings: LockSettings,
  path: string,
  token: string | undefined,
): Promise<boolean> {
  const stale = await judgeStale(settings, path);
  if (stale === undefined || stale.token !== token) return false;
  const aside = join(dirname(path), `.stale-${randomUUID()}-${basename(path)}`);
  try {
    await settings.fileSystem.rename(path, aside);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return false;
    throw describeFileError(error, "take over", path);
  }
  await settings.fileSystem.remove(aside).catch(() => undefined);
  return true;
}

/**
 * Takes over the stale lock at `path` under the break lock; returns a line
 * for the log when it removed one. A stale break lock (its breaker died in
 * the few system calls it holds it) is removed the same way.
 */
async function breakStaleLock(
  settings: LockSettings,
  path: string,
  startedAt: number,
): Promise<string | undefined> {
  const stale = await judgeStale(settings, path);
  if (stale === undefined) return undefined;
  const breakPath = `${path}.break`;
  const breaker = newOwner(settings);
  if (!(await createExclusive(settings, breakPath, breaker))) {
    const staleBreak = await judgeStale(settings, breakPath);
    if (staleBreak !== undefined) await removeIfStill(settings, breakPath, staleBreak.token);
    return undefined;
  }
  let removed: boolean;
  try {
    // Another contender may have taken it over (and a new writer locked) since we judged it.
    removed = await removeIfStill(settings, path, stale.token);
  } finally {
    // Our own break lock: it holds our token, nobody else removes a live one.
    await settings.fileSystem.remove(breakPath).catch(() => undefined);
  }
  if (!removed) return undefined;
  return `${path}: took over a stale lock after waiting ${Math.round(settings.now() - startedAt)} ms: ${stale.reason}`;
}

/** A held lock: refreshes itself until released. */
export interface HeldLock {
  readonly owner: LockOwner;
  /** Lines about stale locks taken over on the way in, for the caller's log. */
  readonly takenOver: readonly string[];
  release(): Promise<void>;
}

/** Refreshes the lock's mtime while held, so a live holder never looks stale. */
function startHeartbeat(settings: LockSettings, path: string): () => void {
  const every = Math.max(50, Math.floor((settings.lockStaleMs ?? LOCK_STALE_MS) / 4));
  const timer = setInterval(() => {
    void settings.fileSystem.touch(path).catch(() => undefined);
  }, every);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Takes the lock at `path`: an exclusive create, retried every 50 ms until
 * `lockTimeoutMs`; a stale lock is taken over on the way.
 */
export async function acquireLock(settings: LockSettings, path: string): Promise<HeldLock> {
  const startedAt = settings.now();
  const deadline = startedAt + settings.lockTimeoutMs;
  const takenOver: string[] = [];
  for (;;) {
    const owner = newOwner(settings);
    if (await createExclusive(settings, path, owner)) {
      const stopHeartbeat = startHeartbeat(settings, path);
      return {
        owner,
        takenOver,
        async release() {
          stopHeartbeat();
          // Only our own lock: after a takeover (we stalled past the bound) the file is someone else's.
          const current = await readOwner(settings, path);
          if (current?.token === owner.token) await settings.fileSystem.remove(path).catch(() => undefined);
        },
      };
    }
    const line = await breakStaleLock(settings, path, startedAt);
    if (line !== undefined) {
      takenOver.push(line);
      continue;
    }
    if (settings.now() >= deadline) {
      const holder = await readOwner(settings, path);
      const who =
        holder === undefined
          ? "another writer"
          : `pid ${holder.pid} on ${holder.hostname} since ${holder.acquired_at}`;
      throw new RegistryError(
        `${path} is held by ${who} for more than ${settings.lockTimeoutMs} ms; it is taken over once that process is gone (this host) or after ${settings.lockStaleMs ?? LOCK_STALE_MS} ms without a refresh`,
      );
    }
    await settings.sleep(50);
  }
}
