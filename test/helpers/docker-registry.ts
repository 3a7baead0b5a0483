/**
 * Starts Debian's `docker-registry` (CNCF distribution 2.8) on 127.0.0.1 with
 * a free port, a temp storage folder and a generated config; optionally with
 * htpasswd basic auth. Tests skip (with a message) only when the binary is
 * missing; CI installs it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import bcrypt from "bcryptjs";

/** Where Debian installs the registry. */
export const DOCKER_REGISTRY_BINARY = "/usr/bin/docker-registry";
/** Where Debian installs skopeo. */
export const SKOPEO_BINARY = "/usr/bin/skopeo";

/** Why registry tests are skipped, or `undefined` when they can run. */
export function dockerRegistryMissing(): string | undefined {
  return existsSync(DOCKER_REGISTRY_BINARY)
    ? undefined
    : `${DOCKER_REGISTRY_BINARY} not found: install the Debian package docker-registry to run these tests`;
}

/** Why skopeo tests are skipped, or `undefined` when they can run. */
export function skopeoMissing(): string | undefined {
  return existsSync(SKOPEO_BINARY)
    ? undefined
    : `${SKOPEO_BINARY} not found: install the Debian package skopeo to run these tests`;
}

/** A running registry. */
export interface RunningRegistry {
  /** `127.0.0.1:<port>`. */
  readonly host: string;
  /** `http://127.0.0.1:<port>`. */
  readonly baseUrl: string;
  /** Folder of the registry's storage. */
  readonly storage: string;
  /** Output of the process so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Options of {@link startDockerRegistry}. */
export interface DockerRegistryOptions {
  /** When set, the registry requires HTTP basic auth with this user. */
  readonly basicAuth?: { readonly username: string; readonly password: string };
}

/** A port nobody listens on right now (the registry takes it a moment later). */
export async function findFreePort(): Promise<number> {
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

async function waitUntilUp(baseUrl: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`docker-registry exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${baseUrl}/v2/`, { signal: AbortSignal.timeout(1_000) });
      await response.body?.cancel();
      if (response.status === 200 || response.status === 401) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`docker-registry did not answer on ${baseUrl} within 15 s:\n${output()}`);
}

/** Starts a registry; call `stop()` in `afterAll`. */
export async function startDockerRegistry(options: DockerRegistryOptions = {}): Promise<RunningRegistry> {
  const dir = await mkdtemp(join(tmpdir(), "mc-docker-registry-"));
  const storage = join(dir, "storage");
  const port = await findFreePort();
  const lines = [
    "version: 0.1",
    "log:",
    "  level: warn",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${JSON.stringify(storage)}`,
    "  delete:",
    "    enabled: true",
    "http:",
    `  addr: 127.0.0.1:${port}`,
  ];
  if (options.basicAuth) {
    const htpasswd = join(dir, "htpasswd");
    // distribution accepts only bcrypt entries in htpasswd files.
    const hash = bcrypt.hashSync(options.basicAuth.password, 5);
    await writeFile(htpasswd, `${options.basicAuth.username}:${hash}\n`);
    lines.push("auth:", "  htpasswd:", "    realm: test-registry", `    path: ${JSON.stringify(htpasswd)}`);
  }
  const config = join(dir, "config.yml");
  await writeFile(config, `${lines.join("\n")}\n`);
  const child = spawn(DOCKER_REGISTRY_BINARY, ["serve", config], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const host = `127.0.0.1:${port}`;
  const baseUrl = `http://${host}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilUp(baseUrl, child, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { host, baseUrl, storage, output: () => log, stop };
}
