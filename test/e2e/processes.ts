/**
 * Child processes of the end-to-end scenario: started with a readiness
 * check, stopped with SIGTERM then SIGKILL, and all of them stopped together
 * however the scenario ends.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createServer } from "node:net";

/** A started child process and what it printed. */
export interface Child {
  readonly name: string;
  readonly process: ChildProcessWithoutNullStreams;
  output(): string;
  stop(): Promise<void>;
}

const running = new Set<Child>();

/** Starts a process; `ready` is polled against its output until it returns a value. */
export async function startChild<T>(
  name: string,
  command: string,
  args: readonly string[],
  options: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    ready: (output: string) => T | undefined | Promise<T | undefined>;
    timeoutMs?: number;
  },
): Promise<{ child: Child; value: T }> {
  const proc = spawn(command, [...args], {
    env: options.env ?? process.env,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  proc.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  proc.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const child: Child = {
    name,
    process: proc,
    output: () => output,
    async stop() {
      running.delete(child);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((resolve) => proc.once("exit", resolve));
      proc.kill("SIGTERM");
      await Promise.race([exited, delay(5000)]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
    },
  };
  running.add(child);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (proc.exitCode !== null)
      throw new Error(`${name} exited with ${proc.exitCode}:\n${output.slice(-4000)}`);
    const value = await options.ready(output);
    if (value !== undefined) return { child, value };
    if (Date.now() > deadline) throw new Error(`${name} was not ready in time:\n${output.slice(-4000)}`);
    await delay(100);
  }
}

/** Stops every process still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}

/** Waits `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A free loopback port, for programs that cannot be told to pick one (Prometheus, Alertmanager). */
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

/** Polls `check` every `everyMs` until it returns a value; throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  everyMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(everyMs);
  }
}
