import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { RegistryError, UsageError } from "../../src/common/errors.js";
import { registerRegistryCommand } from "../../src/cli/commands/registry.js";
import { sampleBytes, sampleCard } from "./sample-model.js";

/** Runs `meta-controller --root <root> <args>` in-process and returns what went to stdout. */
async function run(root: string, args: string[]): Promise<string> {
  const program = new Command("meta-controller")
    .option("--root <dir>")
    .option("--log-format <f>")
    .exitOverride();
  registerRegistryCommand(program);
  let stdout = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(["node", "meta-controller", "--root", root, "--log-format", "json", ...args]);
  } finally {
    spy.mockRestore();
  }
  return stdout;
}

/** Runs with `--json` and parses stdout, which must be exactly one JSON document. */
async function runJson<T>(root: string, args: string[]): Promise<T> {
  return JSON.parse(await run(root, [...args, "--json"])) as T;
}

describe("meta-controller registry (local layout)", () => {
  let root: string;
  const onnx = sampleBytes(600, 3);
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "mc-registry-cli-"));
    await writeFile(join(root, "model.onnx"), onnx);
    await writeFile(join(root, "card.json"), JSON.stringify({ ...sampleCard(), name: "churn" }));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("pushes, lists, inspects, tags, pulls and collects", async () => {
    // Push twice.
    const push = ["registry", "push", "--model", "model.onnx", "--card", "card.json"];
    const first = await runJson<{ ref: string; digest: string; tags: string[]; pinned_ref: string }>(
      root,
      push,
    );
    const second = await runJson<{ ref: string; digest: string }>(root, [...push, "--commit", "fedcba9"]);
    expect(first.ref).toBe("churn:v1");
    expect(first.tags).toEqual(["v1", "0123456"]);
    expect(first.pinned_ref).toBe(`churn:v1@${first.digest}`);
    expect(second.ref).toBe("churn:v2");

    // List.
    const listed = await runJson<{ models: { name: string; tags: { tag: string; digest: string }[] }[] }>(
      root,
      ["registry", "list"],
    );
    expect(listed.models).toEqual([
      {
        name: "churn",
        tags: [
          { tag: "v1", digest: first.digest },
          { tag: "v2", digest: second.digest },
          { tag: "0123456", digest: first.digest },
          { tag: "fedcba9", digest: second.digest },
        ],
      },
    ]);

    // Inspect.
    const inspected = await runJson<{
      artifact_type: string;
      layers: { filepath: string }[];
      card: { version: string };
    }>(root, ["registry", "inspect", "churn:v2"]);
    expect(inspected.artifact_type).toBe("application/vnd.cncf.model.manifest.v1+json");
    expect(inspected.layers.map((l) => l.filepath)).toEqual(["model.onnx", "model-card.json"]);
    expect(inspected.card.version).toBe("v2");

    // Tag, then pull by the new tag.
    await run(root, ["registry", "tag", "churn:v1", "prod"]);
    const pulled = await runJson<{ digest: string; out: string }>(root, [
      "registry",
      "pull",
      "churn:prod",
      "--out",
      "out",
    ]);
    expect(pulled.digest).toBe(first.digest);
    expect(new Uint8Array(await readFile(join(root, "out", "model.onnx")))).toEqual(onnx);
    expect(JSON.parse(await readFile(join(root, "out", "model-card.json"), "utf8"))).toMatchObject({
      version: "v1",
    });

    // gc keeps v1 because an environment pins it, although --keep 1 would drop it.
    await mkdir(join(root, "environments"));
    await writeFile(
      join(root, "environments", "production.yaml"),
      `model: churn\nstable: churn:v1@${first.digest}\n`,
    );
    const gc = await runJson<{ deleted_manifests: unknown[]; kept_protected: { digest: string }[] }>(root, [
      "registry",
      "gc",
      "--keep",
      "1",
    ]);
    expect(gc.deleted_manifests).toEqual([]);
    expect(gc.kept_protected.map((m) => m.digest)).toEqual([first.digest]);
    await expect(run(root, ["registry", "delete", "churn:v1"])).rejects.toThrow(
      /an environment references it/,
    );
  });

  it.each([
    [["registry", "inspect", "Churn:v1"], RegistryError, /invalid model reference "Churn:v1"/],
    [["registry", "pull", "churn:v99", "--out", "x"], RegistryError, /model churn:v99 not found/],
    [["registry", "list", "--registry", "oci://ghcr.io/acme", "--insecure"], UsageError, /only to loopback/],
    [["registry", "gc", "--keep", "0"], UsageError, /--keep must be a whole number ≥ 1, got "0"/],
    [
      ["registry", "push", "--model", "missing.onnx", "--card", "card.json"],
      RegistryError,
      /cannot read .*missing\.onnx/,
    ],
  ])("fails clearly: %j", async (args, type, message) => {
    const error = await run(root, args).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toMatch(message);
  });
});
