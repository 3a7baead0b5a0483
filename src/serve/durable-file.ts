/**
 * Files of the server's state folder that survive `kill -9` and a power
 * cut: a write goes to a temporary file, is flushed to disk, and is renamed
 * over the old one (the folder flushed too), so a reader sees the old file
 * or the new one, never half of either. The calls are synchronous on
 * purpose: they run at rare moments (a rollout step, an abort, an event)
 * and must be on disk before the next request is routed.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";

/** Flushes a folder, so a rename or removal in it is on disk. */
function syncFolder(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `data` to `path` atomically and durably (temp file, fsync, rename, fsync of the folder). */
export function writeFileDurably(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(temp, "w", 0o600);
  try {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    for (let at = 0; at < bytes.byteLength;) at += writeSync(fd, bytes, at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  syncFolder(dir);
}

/** Removes `path` durably; a missing file is not an error. */
export function removeFileDurably(path: string): void {
  rmSync(path, { force: true });
  try {
    syncFolder(dirname(path));
  } catch {
    // The folder itself is gone: nothing left to flush.
  }
}

/** The file's text, or undefined when it does not exist. */
export function readFileIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** The file's bytes, or undefined when it does not exist. */
export function readBytesIfExists(path: string): Uint8Array | undefined {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Names of the files in `dir` (not temporary ones), or none when it does not exist. */
export function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => !name.startsWith("."));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}
