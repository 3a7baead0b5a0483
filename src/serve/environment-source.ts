/**
 * Where the environment file comes from: the local file (its stat watched),
 * optionally a URL and a git remote (both polled). Each source only reads;
 * what it reads goes through the server's {@link EnvironmentReloads}, which
 * applies texts one at a time.
 */
import { existsSync, unwatchFile, watchFile } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../common/errors.js";
import { EnvironmentSpec } from "../config/environment.js";
import { loadConfigFile, parseConfigText } from "../config/load-yaml.js";
import type { EnvironmentReloads, EnvironmentText } from "./environment-reloads.js";
import { openGitSource, type GitSource } from "./git-source.js";

/** The git remote `serve` follows. */
export interface ServeGitOptions {
  /** Any URL or path `git fetch` accepts. */
  readonly remote: string;
  /** Branch, tag or ref (default `main`). */
  readonly ref?: string;
  /** Path of the environment file in the repository, `/`-separated. */
  readonly path: string;
  /** The private bare repository; a temporary folder, removed at close, when absent. */
  readonly cacheDir?: string;
  /** Longest one git command may run (default 60 s). */
  readonly timeoutMs?: number;
}

/** Where the environment comes from. */
export interface EnvironmentSourceOptions {
  readonly envFile: string;
  /** A URL serving the environment YAML, polled for changes. */
  readonly pollUrl?: string;
  /** A git remote whose ref holds the environment file, polled for changes. */
  readonly git?: ServeGitOptions;
  /** Time between polls of the URL and the git remote (default 30 s). */
  readonly pollIntervalMs?: number;
  /** How often the environment file's stat is checked (default 500 ms). */
  readonly watchIntervalMs?: number;
}

/** The first environment, and the text it was parsed from. */
export interface FirstEnvironment {
  readonly env: EnvironmentSpec;
  readonly text: string;
}

/** The sources of one server's environment. */
export interface EnvironmentSources {
  /** The first environment: the local file, or the git remote when there is no local copy. */
  readFirst(): Promise<FirstEnvironment>;
  /** Starts following every source; the git remote is polled at once (a local copy may be older). */
  follow(): void;
  /** Re-reads the local file now. */
  reloadFile(): Promise<unknown>;
  /** Polls the git remote now (resolves at once without one). */
  pollGit(): Promise<void>;
  /** Stops following: no more reads start (a git fetch running is told to stop). */
  stop(): void;
  /** Stops, waits for a git poll in flight, removes a git cache it created. */
  close(): Promise<void>;
}

/**
 * The git remote's state: its private cache (created here or given), the
 * blob last applied or refused as invalid (the same blob is not read
 * twice), the poll in flight, and the signal that stops a fetch at close.
 */
interface GitPolling {
  readonly source: GitSource;
  readonly cacheCreated: string | null;
  readonly stop: AbortController;
  settledBlob: string | undefined;
  polling: Promise<void> | null;
}

async function openGitPolling(options: ServeGitOptions): Promise<GitPolling> {
  const cacheCreated = options.cacheDir === undefined ? await mkdtemp(join(tmpdir(), "mc-git-")) : null;
  const stop = new AbortController();
  try {
    const source = await openGitSource({
      remote: options.remote,
      ref: options.ref ?? "main",
      path: options.path,
      cacheDir: options.cacheDir ?? cacheCreated!,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      signal: stop.signal,
    });
    return { source, cacheCreated, stop, settledBlob: undefined, polling: null };
  } catch (error) {
    if (cacheCreated !== null) await rm(cacheCreated, { recursive: true, force: true });
    throw error;
  }
}

function pollGit(git: GitPolling, reloads: EnvironmentReloads): Promise<void> {
  const { source } = git;
  git.polling ??= (async () => {
    const base = { source: "git" as const, name: source.name };
    try {
      const snapshot = await source.fetchSnapshot();
      if (snapshot.blob === git.settledBlob) {
        reloads.report({ ...base, commit: snapshot.commit }, "unchanged");
        return;
      }
      const outcome = await reloads.reload({
        ...base,
        commit: snapshot.commit,
        read: async () => ({ file: snapshot.file, text: await source.readBlob(snapshot) }),
      });
      if (outcome === "settled") git.settledBlob = snapshot.blob;
    } catch (error) {
      if (!git.stop.signal.aborted) reloads.report(base, "failed", error);
    }
  })().finally(() => (git.polling = null));
  return git.polling;
}

async function readFirst(envFile: string, git: GitPolling | null): Promise<FirstEnvironment> {
  if (git !== null && !existsSync(envFile)) {
    const snapshot = await git.source.fetchSnapshot();
    const text = await git.source.readBlob(snapshot);
    const parsed = parseConfigText(snapshot.file, text, EnvironmentSpec);
    if (!parsed.ok) throw new ConfigError(parsed.issues);
    git.settledBlob = snapshot.blob;
    return { env: parsed.config.value, text };
  }
  const loaded = await loadConfigFile(envFile, EnvironmentSpec);
  return { env: loaded.value, text: await readFile(envFile, "utf8") };
}

async function fetchEnvironment(url: string): Promise<EnvironmentText> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return { file: url, text: await response.text() };
}

/** Opens the sources `options` name (the git remote's cache is made and its remote checked here). */
export async function openEnvironmentSources(
  options: EnvironmentSourceOptions,
  reloads: EnvironmentReloads,
): Promise<EnvironmentSources> {
  const { envFile } = options;
  const git = options.git === undefined ? null : await openGitPolling(options.git);
  const timers: NodeJS.Timeout[] = [];
  const reloadFile = (): Promise<unknown> =>
    reloads.reload({
      source: "file",
      name: envFile,
      read: async () => ({ file: envFile, text: await readFile(envFile, "utf8") }),
    });
  const onChange = (): void => void reloadFile();
  const pollMs = options.pollIntervalMs ?? 30_000;
  function stop(): void {
    unwatchFile(envFile, onChange);
    for (const t of timers) clearInterval(t);
    timers.length = 0;
    git?.stop.abort();
  }
  return {
    readFirst: () => readFirst(envFile, git),
    follow() {
      watchFile(envFile, { interval: options.watchIntervalMs ?? 500, persistent: false }, onChange);
      const { pollUrl } = options;
      if (pollUrl !== undefined) {
        const read = () => fetchEnvironment(pollUrl);
        timers.push(setInterval(() => void reloads.reload({ source: "url", name: pollUrl, read }), pollMs));
      }
      if (git !== null) {
        void pollGit(git, reloads);
        timers.push(setInterval(() => void pollGit(git, reloads), pollMs));
      }
    },
    reloadFile,
    pollGit: () => (git === null ? Promise.resolve() : pollGit(git, reloads)),
    stop,
    async close() {
      stop();
      if (git === null) return;
      await git.polling?.catch(() => undefined);
      if (git.cacheCreated !== null) await rm(git.cacheCreated, { recursive: true, force: true });
    },
  };
}
