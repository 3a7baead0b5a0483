/**
 * Starts Debian's `docker-registry` (CNCF distribution 2.8) on 127.0.0.1 with
 * a free port, a temp storage folder and a generated config; optionally with
 * htpasswd basic auth. Tests skip (with a message) only when the binary is
 * missing; CI installs it.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { freePort, startChild } from "./processes.js";

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

/** Starts a registry; call `stop()` in `afterAll`. */
export async function startDockerRegistry(options: DockerRegistryOptions = {}): Promise<RunningRegistry> {
  const dir = await mkdtemp(join(tmpdir(), "mc-docker-registry-"));
  const storage = join(dir, "storage");
  const port = await freePort();
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
  const host = `127.0.0.1:${port}`;
  const baseUrl = `http://${host}`;
  const removeDir = () => rm(dir, { recursive: true, force: true });
  let started;
  try {
    started = await startChild("docker-registry", DOCKER_REGISTRY_BINARY, ["serve", config], {
      ready: () => answers(baseUrl),
      timeoutMs: 15_000,
    });
  } catch (error) {
    await removeDir();
    throw error;
  }
  const { child } = started;
  const stop = async () => {
    await child.stop();
    await removeDir();
  };
  return { host, baseUrl, storage, output: () => child.output(), stop };
}

/** Whether the registry answers its API root (200, or 401 with auth on). */
async function answers(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/v2/`, { signal: AbortSignal.timeout(1_000) });
    await response.body?.cancel();
    return response.status === 200 || response.status === 401;
  } catch {
    return false; // Not listening yet.
  }
}
