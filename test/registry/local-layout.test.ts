import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RegistryError } from "../../src/common/errors.js";
import { computeDigest, digestHex } from "../../src/registry/digest.js";
import { type FileSystem, nodeFileSystem } from "../../src/registry/fs-port.js";
import { parseImageManifest } from "../../src/registry/manifest.js";
import { openModelRegistry, type ModelRegistry } from "../../src/registry/model-registry.js";
import { writeModelFolder } from "../../src/registry/pull-output.js";
import { sampleModel } from "./sample-model.js";

let root: string;

function open(fileSystem: FileSystem = nodeFileSystem): ModelRegistry {
  return openModelRegistry({ kind: "local", root }, { local: { fileSystem, gcGraceMs: 0 } });
}

/** Every file under `dir`, relative. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

/** A file system that runs out of space on the first write whose path matches. */
function diskFullOn(matches: (path: string) => boolean): FileSystem {
  return {
    ...nodeFileSystem,
    writeFile: async (path, data, options) => {
      if (!matches(path)) return nodeFileSystem.writeFile(path, data, options);
      // Like a real full disk: part of the data lands, then the write fails.
      await nodeFileSystem.writeFile(path, data.subarray(0, data.byteLength >> 1), options);
      throw Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: "ENOSPC" });
    },
  };
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "mc-registry-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("local OCI layout: push and pull", () => {
  it("numbers versions, tags the commit, and writes a valid layout", async () => {
    // Arrange
    const registry = open();
    // Act
    const first = await registry.push(sampleModel("churn", 1000, 1, "1111111aaaa"));
    const second = await registry.push(sampleModel("churn", 1000, 2, "2222222bbbb"));
    // Assert
    expect([first.ref, second.ref]).toEqual(["churn:v1", "churn:v2"]);
    expect(first.tags).toEqual(["v1", "1111111"]);
    expect(await registry.listTags("churn")).toEqual(["v1", "v2", "1111111", "2222222"]);
    expect(JSON.parse(await readFile(join(root, "churn", "oci-layout"), "utf8"))).toEqual({
      imageLayoutVersion: "1.0.0",
    });
    const index = JSON.parse(await readFile(join(root, "churn", "index.json"), "utf8")) as {
      manifests: { digest: string; annotations: Record<string, string> }[];
    };
    expect(
      index.manifests.map((m) => [m.annotations["org.opencontainers.image.ref.name"], m.digest]),
    ).toEqual([
      ["v1", first.digest],
      ["1111111", first.digest],
      ["v2", second.digest],
      ["2222222", second.digest],
    ]);
    for (const file of await listFiles(join(root, "churn", "blobs", "sha256"))) {
      const bytes = await readFile(join(root, "churn", "blobs", "sha256", file));
      expect(computeDigest(bytes)).toBe(`sha256:${file}`);
    }
  });

  it("pulls back the same bytes with the card's name and version set", async () => {
    // Arrange
    const registry = open();
    const input = sampleModel("team/churn", 5000, 7);
    const pushed = await registry.push(input);
    // Act
    const byTag = await registry.pull({ name: "team/churn", tag: "v1" });
    const byDigest = await registry.pull({ name: "team/churn", digest: pushed.digest });
    // Assert
    expect(byTag.onnx).toEqual(input.onnx);
    expect(byTag.digest).toBe(pushed.digest);
    expect(byDigest.cardBytes).toEqual(byTag.cardBytes);
    expect(byTag.card).toMatchObject({ name: "team/churn", version: "v1", metrics: { accuracy: 0.875 } });
    expect(byTag.manifest.artifactType).toBe("application/vnd.cncf.model.manifest.v1+json");
    expect(byTag.manifest.config.mediaType).toBe("application/vnd.cncf.model.config.v1+json");
    expect(
      byTag.manifest.layers.map((l) => [l.mediaType, l.annotations?.["org.cncf.model.filepath"]]),
    ).toEqual([
      ["application/vnd.cncf.model.weight.v1.raw", "model.onnx"],
      ["application/vnd.cncf.model.doc.v1.raw", "model-card.json"],
    ]);
    expect(await registry.listModels()).toEqual(["team/churn"]);
  });

  it("moves the commit tag to a rebuild from the same commit but keeps both versions", async () => {
    const registry = open();
    const first = await registry.push(sampleModel("churn", 100, 1));
    const second = await registry.push(sampleModel("churn", 100, 2));
    expect((await registry.resolve({ name: "churn", tag: "0123456" })).digest).toBe(second.digest);
    expect((await registry.resolve({ name: "churn", tag: "v1" })).digest).toBe(first.digest);
  });

  it("gives concurrent pushes distinct versions", async () => {
    const registry = open();
    const results = await Promise.all(
      [1, 2, 3].map((seed) => registry.push(sampleModel("churn", 100, seed))),
    );
    expect(results.map((r) => r.version).sort()).toEqual(["v1", "v2", "v3"]);
  });

  it("rejects a card that does not fit the schema before writing anything", async () => {
    const registry = open();
    const input = sampleModel();
    const bad = {
      ...input,
      card: { ...input.card, metrics: { accuracy: "high" } },
    } as unknown as typeof input;
    await expect(registry.push(bad)).rejects.toThrow(/model card of churn:v1: metrics\.accuracy/);
    expect(await listFiles(root)).toEqual([]);
  });
});

describe("local OCI layout: tags", () => {
  it("adds a tag, refuses to move an existing one, and never moves a version tag", async () => {
    // Arrange
    const registry = open();
    const v1 = await registry.push(sampleModel("churn", 100, 1));
    const v2 = await registry.push(sampleModel("churn", 100, 2));
    // Act
    await registry.tag({ name: "churn", tag: "v1" }, "prod");
    // Assert
    expect((await registry.resolve({ name: "churn", tag: "prod" })).digest).toBe(v1.digest);
    await expect(registry.tag({ name: "churn", tag: "v2" }, "prod")).rejects.toThrow(
      `tag churn:prod already exists (${v1.digest})`,
    );
    await registry.tag({ name: "churn", tag: "v2" }, "prod", { force: true });
    expect((await registry.resolve({ name: "churn", tag: "prod" })).digest).toBe(v2.digest);
    await expect(registry.tag({ name: "churn", tag: "v2" }, "v1", { force: true })).rejects.toThrow(
      /cannot tag churn:v2 as churn:v1: v<N> tags are reserved for pushes/,
    );
  });
});

describe("local OCI layout: bad input", () => {
  it.each([
    [{ name: "churn", tag: "v9" }, /model churn:v9 not found in .* \(404\); its tags are v1, 0123456/],
    [{ name: "other", tag: "v1" }, /model other:v1 not found .*there is no model named other there/],
  ])("names the reference that is not there: %j", async (ref, message) => {
    const registry = open();
    await registry.push(sampleModel());
    await expect(registry.pull(ref)).rejects.toThrow(message);
  });

  it("fails a pull whose weights blob was replaced, naming both digests", async () => {
    // Arrange
    const registry = open();
    const pushed = await registry.push(sampleModel());
    const weights = parseImageManifest(
      await readFile(join(root, "churn", "blobs", "sha256", digestHex(pushed.digest))),
      "test",
    ).layers[0]!;
    const tampered = new Uint8Array(weights.size).fill(7);
    await writeFile(join(root, "churn", "blobs", "sha256", digestHex(weights.digest)), tampered);
    // Act + Assert
    const error = await registry.pull({ name: "churn", tag: "v1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toContain(`expected ${weights.digest}, got ${computeDigest(tampered)}`);
    expect((error as Error).message).toContain("layer model.onnx of churn:v1@");
  });

  it("fails a pull by digest whose manifest does not hash to it", async () => {
    const registry = open();
    const pushed = await registry.push(sampleModel());
    await writeFile(join(root, "churn", "blobs", "sha256", digestHex(pushed.digest)), "{}");
    await expect(registry.pull({ name: "churn", digest: pushed.digest })).rejects.toThrow(
      `digest mismatch for manifest churn@${pushed.digest}: expected ${pushed.digest}, got ${computeDigest(new TextEncoder().encode("{}"))}`,
    );
  });

  it.each([
    ["the weights blob", (path: string) => path.includes("blobs") && !path.includes("index")],
    ["index.json", (path: string) => path.endsWith("index.json")],
  ])("leaves no tag and no temp file when the disk fills while writing %s", async (_what, matches) => {
    // Arrange
    await open().push(sampleModel("churn", 100, 1));
    const before = await listFiles(root);
    const registry = open(diskFullOn((path) => path.includes(".tmp-") && matches(path)));
    // Act
    const error = await registry.push(sampleModel("churn", 4000, 2)).catch((e: unknown) => e);
    // Assert
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toMatch(/cannot write .*: no space left on device \(disk full\)/);
    expect(await open().listTags("churn")).toEqual(["v1", "0123456"]);
    const after = await listFiles(root);
    expect(after.filter((file) => file.includes(".tmp-"))).toEqual([]);
    expect(
      after.filter((file) => !before.includes(file)).every((file) => file.includes("blobs/sha256/")),
    ).toBe(true);
    expect((await open().pull({ name: "churn", tag: "v1" })).card.version).toBe("v1");
  });
});

describe("local OCI layout: delete and gc", () => {
  it("deletes old versions and their blobs but never a protected digest", async () => {
    // Arrange
    const registry = open();
    const v1 = await registry.push(sampleModel("churn", 300, 1, "1111111"));
    const v2 = await registry.push(sampleModel("churn", 300, 2, "2222222"));
    const v3 = await registry.push(sampleModel("churn", 300, 3, "3333333"));
    const v2Blobs = parseImageManifest(
      (await registry.resolve({ name: "churn", tag: "v2" })).manifestBytes,
      "v2",
    );
    // Act
    const report = await registry.gc({ protectedDigests: new Set([v1.digest]), keepVersions: 1 });
    // Assert
    expect(report.deletedManifests).toEqual([{ name: "churn", digest: v2.digest, tags: ["v2", "2222222"] }]);
    expect(report.keptProtected).toEqual([{ name: "churn", digest: v1.digest, tags: ["v1", "1111111"] }]);
    expect(report.removedBlobs.map((b) => b.digest).sort()).toEqual(
      [v2.digest, v2Blobs.config.digest, ...v2Blobs.layers.map((l) => l.digest)].sort(),
    );
    expect(await registry.listTags("churn")).toEqual(["v1", "v3", "1111111", "3333333"]);
    expect((await registry.pull({ name: "churn", tag: "v1" })).digest).toBe(v1.digest);
    expect((await registry.pull({ name: "churn", tag: "v3" })).digest).toBe(v3.digest);
  });

  it("collects an untagged manifest unless it is protected", async () => {
    const registry = open();
    const v1 = await registry.push(sampleModel("churn", 300, 1));
    const v2 = await registry.push(sampleModel("churn", 300, 2));
    await registry.delete({ name: "churn", tag: "v1" }, { protectedDigests: new Set() });
    await registry.delete({ name: "churn", tag: "v2" }, { protectedDigests: new Set() });
    const report = await registry.gc({ protectedDigests: new Set([v2.digest]) });
    expect(report.removedBlobs.map((b) => b.digest)).toContain(v1.digest);
    expect(report.removedBlobs.map((b) => b.digest)).not.toContain(v2.digest);
    expect((await registry.pull({ name: "churn", digest: v2.digest })).card.version).toBe("v2");
  });

  it("refuses to delete a digest an environment references", async () => {
    const registry = open();
    const v1 = await registry.push(sampleModel());
    await expect(
      registry.delete({ name: "churn", tag: "v1" }, { protectedDigests: new Set([v1.digest]) }),
    ).rejects.toThrow(`refusing to delete churn:v1 (${v1.digest}): an environment references it`);
  });
});

describe("writeModelFolder", () => {
  it("writes model.onnx and model-card.json into a new folder", async () => {
    const registry = open();
    await registry.push(sampleModel());
    const pulled = await registry.pull({ name: "churn", tag: "v1" });
    const out = join(root, "out", "model");
    await writeModelFolder(pulled, out);
    expect(new Uint8Array(await readFile(join(out, "model.onnx")))).toEqual(pulled.onnx);
    expect(JSON.parse(await readFile(join(out, "model-card.json"), "utf8"))).toMatchObject({ version: "v1" });
  });

  it("replaces the files of an existing folder and keeps its other files", async () => {
    const registry = open();
    await registry.push(sampleModel());
    const pulled = await registry.pull({ name: "churn", tag: "v1" });
    const out = join(root, "existing");
    await mkdir(out);
    await writeFile(join(out, "model.onnx"), "old");
    await writeFile(join(out, "notes.txt"), "mine");
    await writeModelFolder(pulled, out);
    expect(new Uint8Array(await readFile(join(out, "model.onnx")))).toEqual(pulled.onnx);
    expect((await readdir(out)).sort()).toEqual(["model-card.json", "model.onnx", "notes.txt"]);
  });

  it("leaves nothing behind when the disk fills midway", async () => {
    const registry = open();
    await registry.push(sampleModel());
    const pulled = await registry.pull({ name: "churn", tag: "v1" });
    const out = join(root, "out", "model");
    const full = diskFullOn((path) => path.endsWith("model-card.json"));
    await expect(writeModelFolder(pulled, out, full)).rejects.toThrow(/no space left on device/);
    expect(await readdir(join(root, "out"))).toEqual([]);
  });
});
