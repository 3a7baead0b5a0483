/**
 * The few file-system calls the local registry makes, as a port: tests hand
 * in a wrapper that fails with ENOSPC midway to prove nothing half-written
 * stays behind.
 */
import { constants } from "node:fs";
import * as fs from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { RegistryError } from "../common/errors.js";

/** What we need to know about a path. */
export interface FileStat {
  readonly size: number;
  readonly mtimeMs: number;
  readonly isDirectory: boolean;
}

/** File-system port of the local registry and of `registry pull --out`. */
export interface FileSystem {
  readFile(path: string): Promise<Uint8Array>;
  /**
   * Writes a whole file; with `exclusive` fails with EEXIST when it exists.
   * Flushed to disk unless `sync` is false (lock files: a torn one is judged
   * by its age, and skipping the flush keeps a takeover fast).
   */
  writeFile(path: string, data: Uint8Array, options?: { exclusive?: boolean; sync?: boolean }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Hard-links `existing` as `path`; fails with EEXIST when `path` exists (an atomic exclusive publish). */
  link(existing: string, path: string): Promise<void>;
  /** Sets a file's mtime to now (a lock holder's heartbeat). */
  touch(path: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  /** Removes a file or folder tree; a missing path is not an error. */
  remove(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  /** `undefined` when the path does not exist. */
  stat(path: string): Promise<FileStat | undefined>;
}

/** The real file system. */
export const nodeFileSystem: FileSystem = {
  readFile: async (path) => new Uint8Array(await fs.readFile(path)),
  writeFile: async (path, data, options) => {
    // Flush before the rename that publishes the file, so a power cut cannot publish an empty blob.
    const handle = await fs.open(
      path,
      constants.O_WRONLY | constants.O_CREAT | (options?.exclusive ? constants.O_EXCL : constants.O_TRUNC),
      0o644,
    );
    try {
      await handle.writeFile(data);
      if (options?.sync !== false) await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => fs.rename(from, to),
  link: (existing, path) => fs.link(existing, path),
  touch: async (path) => {
    const now = new Date();
    await fs.utimes(path, now, now);
  },
  mkdir: async (path) => {
    await fs.mkdir(path, { recursive: true });
  },
  remove: (path) => fs.rm(path, { recursive: true, force: true }),
  readdir: (path) => fs.readdir(path),
  stat: async (path) => {
    try {
      const info = await fs.stat(path);
      return { size: info.size, mtimeMs: info.mtimeMs, isDirectory: info.isDirectory() };
    } catch (error) {
      if (errorCode(error) === "ENOENT") return undefined;
      throw error;
    }
  },
};

/** The `code` of a Node system error, if any. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "string") {
    return error.code;
  }
  return undefined;
}

/** Turns a file-system failure into a RegistryError that names the path and what to do. */
export function describeFileError(error: unknown, action: string, path: string): RegistryError {
  if (error instanceof RegistryError) return error;
  const code = errorCode(error);
  const reason =
    code === "ENOSPC"
      ? "no space left on device (disk full); free some space and retry"
      : code === "EACCES" || code === "EPERM"
        ? "permission denied"
        : code === "EROFS"
          ? "read-only file system"
          : error instanceof Error
            ? error.message
            : String(error);
  return new RegistryError(`cannot ${action} ${path}: ${reason}`, { cause: error });
}

let temporaryCounter = 0;

/** A temp-file name beside `path`, unique within this machine's running processes. */
export function temporaryPathFor(path: string): string {
  temporaryCounter += 1;
  return join(dirname(path), `.tmp-${process.pid}-${temporaryCounter}-${basename(path)}`);
}

/**
 * Writes a file atomically: to a temp file beside it, then a rename. On any
 * failure the temp file is removed and the target is untouched.
 */
export async function writeFileAtomic(fileSystem: FileSystem, path: string, data: Uint8Array): Promise<void> {
  const temporary = temporaryPathFor(path);
  try {
    await fileSystem.writeFile(temporary, data, { exclusive: true });
    await fileSystem.rename(temporary, path);
  } catch (error) {
    await fileSystem.remove(temporary).catch(() => undefined);
    throw describeFileError(error, "write", path);
  }
}
