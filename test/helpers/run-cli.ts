/**
 * Runs the real `meta-controller` CLI in a child process, from the TypeScript
 * sources (through tsx), so tests see exactly what a user sees: stdout,
 * stderr and the exit code.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** What a CLI run printed and how it ended. */
export interface CliRun {
  stdout: string;
  stderr: string;
  code: number | null;
}

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
/** tsx's loader by absolute URL, so the CLI runs from any working directory. */
const TSX_LOADER = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;

/** Runs `meta-controller <args>` in `cwd`; resolves when the process exits. */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX_LOADER, MAIN, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "warn", ...options.env, FORCE_COLOR: "0" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
    child.stdin.end(options.input ?? "");
  });
}
