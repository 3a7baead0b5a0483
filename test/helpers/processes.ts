/**
 * The one way tests start processes: the built CLI (`bin/meta-controller.js`
 * over `dist/`, exactly what a user runs, so `npm run build` comes first) or
 * any other program; a readiness check against what it prints; the address
 * a server prints; polling with a bound; and stopping with SIGTERM, then
 * SIGKILL after a bound. Every process started here is stopped when the test
 * file ends (vitest) or when the process running the tests exits.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

/**
 * The package's binary (it runs `dist/cli/main.js`): the built CLI this checkout runs. `META_CONTROLLER_BIN` points it at
 * another build (a benchmark comparing with an older commit); tests leave it unset.
 */
export const BIN =
  process.env.META_CONTROLLER_BIN ?? fileURLToPath(new URL("../../bin/meta-controller.js", import.meta.url));
const BUILT_ENTRY = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

/** How long a stopped process gets to exit on SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5_000;

/** A started process and what it printed. */
export interface Child {
  readonly name: string;
  readonly process: ChildProcessWithoutNullStreams;
  /** stdout and stderr interleaved as they arrived. */
  output(): string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Options of {@link startProcess}. */
export interface StartOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/**
 * Every process started and not yet ended, one set per Node process even when
 * a test runner evaluates this module more than once in it.
 */
const RUNNING = Symbol.for("meta-controller.test.processes");
const shared = globalThis as typeof globalThis & { [RUNNING]?: Set<Child> };
const firstLoad = shared[RUNNING] === undefined;
const running = (shared[RUNNING] ??= new Set<Child>());

/** Fails with a clear message when `dist/` has not been built. */
export function assertBuilt(entry = BUILT_ENTRY): void {
  if (!existsSync(entry))
    throw new Error(`${entry} is missing: run \`npm run build\` before tests that start built code`);
}

/** Starts `command args` with piped stdio; it is stopped at the latest when the test file ends. */
export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  options: StartOptions = {},
): Child {
  const proc = spawn(command, [...args], {
    env: options.env ?? process.env,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  let stdout = "";
  let stderr = "";
  proc.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    output += chunk;
  });
  proc.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => {
    proc.once("close", (code) => resolve(code));
    // A program that cannot be started: no close event follows an early error.
    proc.once("error", (error) => {
      output += `\n${error.message}`;
      resolve(null);
    });
  });
  const child: Child = {
    name,
    process: proc,
    output: () => output,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async stop(graceMs = STOP_GRACE_MS) {
      running.delete(child);
      if (hasExited(proc)) return exited;
      proc.kill("SIGTERM");
      const code = await Promise.race([exited, delay(graceMs).then(() => "timeout" as const)]);
      if (code !== "timeout") return code;
      proc.kill("SIGKILL");
      return exited;
    },
  };
  running.add(child);
  void exited.then(() => running.delete(child));
  return child;
}

function hasExited(proc: ChildProcessWithoutNullStreams): boolean {
  return proc.exitCode !== null || proc.signalCode !== null;
}

/** Options of {@link startChild}. */
export interface ReadyOptions<T> extends StartOptions {
  /** Polled against the output until it returns a value other than undefined/false. */
  readonly ready: (output: string) => T | undefined | false | Promise<T | undefined | false>;
  readonly timeoutMs?: number;
}

/**
 * Starts a process and waits until `ready` finds what it needs in the output.
 * Rejects, with the output, when the process exits first or is not ready in
 * time (the process is then stopped).
 */
export async function startChild<T>(
  name: string,
  command: string,
  args: readonly string[],
  options: ReadyOptions<T>,
): Promise<{ child: Child; value: T }> {
  const child = startProcess(name, command, args, options);
  let ended = false;
  void child.exited.then(() => (ended = true));
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Read before checking the output, so the output a process printed before it ended is seen.
    const endedBefore = ended;
    const value = await options.ready(child.output());
    if (value !== undefined && value !== false) return { child, value };
    if (endedBefore) {
      const code = await child.exited;
      throw new Error(`${name} exited with ${code}:\n${child.output().slice(-4000)}`);
    }
    if (Date.now() > deadline) {
      await child.stop();
      throw new Error(`${name} was not ready within ${timeoutMs} ms:\n${child.output().slice(-4000)}`);
    }
    await Promise.race([child.exited, delay(20)]);
  }
}

/** The environment the CLI runs in under test: quiet logs, no colours. */
function cliEnv(env: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  return { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "warn", ...env, FORCE_COLOR: "0" };
}

/** Starts `meta-controller <args>` (built) and waits until `ready` finds what it needs in the output. */
export function startCli<T>(
  args: readonly string[],
  options: ReadyOptions<T> & { readonly name?: string },
): Promise<{ child: Child; value: T }> {
  assertBuilt();
  return startChild(
    options.name ?? `meta-controller ${args[0] ?? ""}`.trim(),
    process.execPath,
    [BIN, ...args],
    {
      ...options,
      env: cliEnv(options.env),
    },
  );
}

/** A running `meta-controller serve`. */
export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcessWithoutNullStreams;
  readonly output: () => string;
  /** SIGTERM (SIGKILL after a bound); resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `meta-controller serve --port 0 <args>`; resolves once it prints the address it listens on. */
export async function startServerProcess(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<ServerProcess> {
  const { child, value: url } = await startCli(["serve", "--port", "0", ...args], {
    env,
    ready: readListeningUrl,
  });
  return { url, child: child.process, output: () => child.output(), stop: () => child.stop() };
}

/** What a CLI run printed and how it ended. */
export interface CliRun {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs `command args` to the end; `input` goes to its stdin. Killed after `timeoutMs` (default 120 s). */
export async function runToEnd(
  command: string,
  args: readonly string[],
  options: StartOptions & { input?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  const child = startProcess(command, command, args, options);
  child.process.stdin.end(options.input ?? "");
  const timer = setTimeout(() => child.process.kill("SIGKILL"), options.timeoutMs ?? 120_000);
  const code = await child.exited;
  clearTimeout(timer);
  return { stdout: child.stdout(), stderr: child.stderr(), code };
}

/** Runs `meta-controller <args>` (built) to the end; `input` goes to its stdin. */
export function runCli(
  args: readonly string[],
  options: StartOptions & { input?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  assertBuilt();
  return runToEnd(process.execPath, [BIN, ...args], {
    ...options,
    cwd: options.cwd ?? process.cwd(),
    env: cliEnv(options.env),
  });
}

/** The URL a server printed: `listening on http://127.0.0.1:<port>` (the model server and the bot). */
export function readListeningUrl(output: string): string | undefined {
  return /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
}

/** Stops every process still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}

/** Waits `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A free loopback port, for programs that cannot be told to pick one (Prometheus, Alertmanager, docker-registry). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Options of {@link waitFor}. */
export interface WaitOptions {
  /** Give up after this many milliseconds (default 20 s). */
  readonly timeout?: number;
  /** Poll every this many milliseconds (default 20). */
  readonly interval?: number;
  /** Named in the error on timeout. */
  readonly what?: string;
}

/** Polls `predicate` until it returns a value other than undefined/false, and returns that value. */
export async function waitFor<T>(
  predicate: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions = {},
): Promise<T> {
  const timeout = options.timeout ?? 20_000;
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await predicate();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeout} ms waiting for ${options.what ?? "a condition"}`);
    await delay(options.interval ?? 20);
  }
}

// Killed on test end: under vitest, after the test file; in any case, when this process exits.
if (firstLoad)
  process.once("exit", () => {
    for (const child of running) if (!hasExited(child.process)) child.process.kill("SIGKILL");
  });
if (process.env.VITEST !== undefined) {
  const { afterAll } = await import("vitest");
  afterAll(stopAll);
}
