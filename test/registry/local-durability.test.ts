/**
 * The local registry survives crashes and damage for real: a writer killed
 * with SIGKILL while it holds the index lock, a corrupted blob file, a
 * tampered `index.json` or manifest. The killed writer is a real process;
 * the push after it is the built CLI.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RegistryError } from "../../src/common/errors.js";
import { digestHex } from "../../src/registry/digest.js";
import { openModelRegistry, type ModelRegistry } from "../../src/registry/model-registry.js";
import { runCli, startChild } from "../helpers/processes.js";
import { sampleCard, sampleModel } from "./sample-model.js";

const HOLD_LOCK = fileURLToPath(new URL("./fixtures/hold-index-lock.ts", import.meta.url));

let dir: string;
let root: string;

function open(options: { lockTimeoutMs?: number; lockStaleMs?: number } = {}): ModelRegistry {
  return openModelRegistry({ kind: "local", root }, { local: { gcGraceMs: 0, ...options } });
}

/** Writes a model and card file and pushes them with the built CLI. */
async function cliPush(seed: number): Promise<{ code: number | null; stderr: string; version?: string }> {
  const model = join(dir, `model-${seed}.onnx`);
  const card = join(dir, `card-${seed}.json`);
  await writeFile(model, sampleModel("churn", 800, seed).onnx);
  await writeFile(card, JSON.stringify({ ...sampleCard(), name: "churn" }));
  const run = await runCli(
    ["registry", "push", "--registry", root, "--model", model, "--card", card, "--json"],
    { cwd: dir, timeoutMs: 60_000 },
  );
  const version = run.code === 0 ? (JSON.parse(run.stdout) as { version: string }).version : undefined;
  return { code: run.code, stderr: run.stderr, ...(version === undefined ? {} : { version }) };
}

/** Starts a process that takes churn's index lock and waits; resolves once it holds it. */
async function holdLock() {
  const { child } = await startChild(
    "hold-index-lock",
    process.execPath,
    ["--import", "tsx", HOLD_LOCK, root, "churn"],
    {
      ready: (output) => output.includes("locked "),
      timeoutMs: 30_000,
    },
  );
  return child;
}

const lockPath = () => join(root, "churn", "index.json.lock");

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mc-registry-durable-"));
  root = join(dir, "registry");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("local registry: a writer killed while it holds the index lock", () => {
  it("records pid, host and time in the lock, and the next CLI push takes the lock over", async () => {
    await open().push(sampleModel("churn", 800, 1));
    const holder = await holdLock();
    const owner = JSON.parse(await readFile(lockPath(), "utf8")) as Record<string, unknown>;
    expect(owner).toMatchObject({ pid: holder.process.pid, hostname: hostname() });
    expect(Number.isNaN(Date.parse(String(owner.acquired_at)))).toBe(false);

    holder.process.kill("SIGKILL");
    await holder.exited;
    expect(existsSync(lockPath())).toBe(true);

    const pushed = await cliPush(2);
    expect(pushed.stderr).toMatch(
      /took over a stale lock after waiting \d+ ms: its holder \(pid \d+ on .+\) is gone/,
    );
    expect(pushed).toMatchObject({ code: 0, version: "v2" });
    expect(existsSync(lockPath())).toBe(false);
    expect(await open().listTags("churn")).toEqual(["v1", "v2", "0123456"]);
  });

  it("gives two concurrent CLI pushes after the crash distinct versions (one takes over, both land)", async () => {
    await open().push(sampleModel("churn", 800, 1));
    const holder = await holdLock();
    holder.process.kill("SIGKILL");
    await holder.exited;

    const [a, b] = await Promise.all([cliPush(2), cliPush(3)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect([a.version, b.version].sort()).toEqual(["v2", "v3"]);
    expect((await open().listTags("churn")).filter((t) => t.startsWith("v"))).toEqual(["v1", "v2", "v3"]);
  });

  it("never takes the lock of a live holder: a push waits and then fails naming it", async () => {
    await open().push(sampleModel("churn", 800, 1));
    const holder = await holdLock();
    const error = await open({ lockTimeoutMs: 300 })
      .push(sampleModel("churn", 800, 2))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toContain(`held by pid ${holder.process.pid} on ${hostname()}`);
    expect(await open().listTags("churn")).toEqual(["v1", "0123456"]);
    await holder.stop();
  });

  it("takes over a lock from another host once it is older than the stale bound, not before", async () => {
    await open().push(sampleModel("churn", 800, 1));
    const foreign = {
      pid: 1,
      hostname: "other-host.invalid",
      acquired_at: new Date().toISOString(),
      token: "t",
    };
    await writeFile(lockPath(), JSON.stringify(foreign));
    const fresh = await open({ lockTimeoutMs: 200, lockStaleMs: 60_000 })
      .push(sampleModel("churn", 800, 2))
      .catch((e: unknown) => e);
    expect((fresh as Error).message).toContain("held by pid 1 on other-host.invalid");

    const old = new Date(Date.now() - 120_000);
    await utimes(lockPath(), old, old);
    const pushed = await open({ lockTimeoutMs: 200, lockStaleMs: 60_000 }).push(sampleModel("churn", 800, 2));
    expect(pushed.version).toBe("v2");
    expect(existsSync(lockPath())).toBe(false);
  });
});

describe("local registry: a corrupted blob", () => {
  it("is rewritten by a push of identical content, and the new version pulls", async () => {
    const registry = open();
    const model = sampleModel("churn", 4000, 7);
    const first = await registry.pull({ name: "churn", tag: (await registry.push(model)).version });
    const weights = join(root, "churn", "blobs", "sha256", digestHex(first.manifest.layers[0]!.digest));
    const bytes = await readFile(weights);
    bytes[100] = bytes[100]! ^ 0xff; // Same size, one flipped byte: bit rot.
    await writeFile(weights, bytes);

    const second = await registry.push(model);
    const pulled = await registry.pull({ name: "churn", tag: second.version });
    expect(Buffer.from(pulled.onnx).equals(Buffer.from(model.onnx))).toBe(true);
    expect((await registry.pull({ name: "churn", tag: "v1" })).digest).toBe(first.digest);
  });
});

describe("local registry: a pull by tag checks the manifest against the index", () => {
  it("fails clearly when the manifest blob was altered, naming the tag and both digests", async () => {
    const registry = open();
    const pushed = await registry.push(sampleModel("churn", 800, 1));
    const path = join(root, "churn", "blobs", "sha256", digestHex(pushed.digest));
    const manifest = JSON.parse(await readFile(path, "utf8")) as { annotations: Record<string, string> };
    manifest.annotations["org.opencontainers.image.revision"] = "f".repeat(40);
    await writeFile(path, JSON.stringify(manifest));

    const error = await registry.pull({ name: "churn", tag: "v1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    const message = (error as Error).message;
    expect(message).toContain("churn:v1");
    expect(message).toContain(pushed.digest);
    expect(message).toMatch(/sha256:[0-9a-f]{64}.*sha256:[0-9a-f]{64}/);
  });

  it("fails clearly when index.json names a manifest that is not there", async () => {
    const registry = open();
    const pushed = await registry.push(sampleModel("churn", 800, 1));
    const indexPath = join(root, "churn", "index.json");
    const forged = `sha256:${"0".repeat(64)}`;
    await writeFile(indexPath, (await readFile(indexPath, "utf8")).replaceAll(pushed.digest, forged));

    const error = await registry.pull({ name: "churn", tag: "v1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toContain("churn:v1");
    expect((error as Error).message).toContain(forged);
    expect((error as Error).message).toContain("missing");
  });
});
