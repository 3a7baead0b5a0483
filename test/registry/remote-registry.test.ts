import { readdir, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryError } from "../../src/common/errors.js";
import { computeDigest, digestHex } from "../../src/registry/digest.js";
import { openModelRegistry, type OpenRegistryOptions } from "../../src/registry/model-registry.js";
import { parseRegistryLocation } from "../../src/registry/reference.js";
import {
  dockerRegistryMissing,
  type RunningRegistry,
  startDockerRegistry,
} from "../helpers/docker-registry.js";
import { freePort } from "../helpers/processes.js";
import { sampleModel } from "./sample-model.js";

const missing = dockerRegistryMissing();
if (missing) console.warn(`skipping docker-registry tests: ${missing}`);

function openRemote(host: string, namespace: string, options: OpenRegistryOptions = {}) {
  const location = parseRegistryLocation(`oci://${host}/${namespace}`, {
    repoRoot: "/",
    insecure: true,
    resolvePath: (a, b) => join(a, b),
  });
  return openModelRegistry(location, { timeoutMs: 10_000, ...options });
}

describe.skipIf(missing !== undefined)("remote registry (docker-registry on loopback)", () => {
  let server: RunningRegistry;
  beforeAll(async () => {
    server = await startDockerRegistry();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("pushes monolithic and chunked blobs, lists tags, and pulls back verified bytes", async () => {
    // Arrange: 40 KiB of weights in 16 KiB chunks takes three PATCH requests.
    const monolithic = openRemote(server.host, "acme");
    const methods: string[] = [];
    const recordingFetch: typeof fetch = (input, init) => {
      methods.push(init?.method ?? "GET");
      return fetch(input, init);
    };
    const chunked = openRemote(server.host, "acme", { chunkSize: 16 * 1024, fetch: recordingFetch });
    const small = sampleModel("churn", 1000, 1, "1111111");
    const large = sampleModel("churn", 40 * 1024, 2, "2222222");
    // Act
    const v1 = await monolithic.push(small);
    const v2 = await chunked.push(large);
    const pulled = await monolithic.pull({ name: "churn", tag: "v2" });
    // Assert
    expect([v1.ref, v2.ref]).toEqual(["churn:v1", "churn:v2"]);
    expect(methods.filter((method) => method === "PATCH")).toHaveLength(3);
    expect(await monolithic.listTags("churn")).toEqual(["v1", "v2", "1111111", "2222222"]);
    expect(pulled.digest).toBe(v2.digest);
    expect(pulled.onnx).toEqual(large.onnx);
    expect(pulled.card).toMatchObject({ name: "churn", version: "v2" });
    expect((await monolithic.pull({ name: "churn", digest: v1.digest })).onnx).toEqual(small.onnx);
    expect(await monolithic.listModels()).toEqual(["churn"]);
  });

  it("never overwrites a version tag", async () => {
    const registry = openRemote(server.host, "tags");
    const v1 = await registry.push(sampleModel("churn", 100, 1));
    await registry.push(sampleModel("churn", 100, 2));
    await expect(registry.tag({ name: "churn", tag: "v2" }, "v1", { force: true })).rejects.toThrow(
      "cannot tag churn:v2 as churn:v1: v<N> tags are reserved for pushes",
    );
    expect((await registry.resolve({ name: "churn", tag: "v1" })).digest).toBe(v1.digest);
  });

  it("suggests --insecure when https meets a plain-http registry", async () => {
    const registry = openModelRegistry(
      { kind: "remote", host: server.host, namespace: "acme", baseUrl: `https://${server.host}` },
      { timeoutMs: 10_000 },
    );
    await expect(registry.listTags("churn")).rejects.toThrow(
      /cannot reach https:\/\/127\.0\.0\.1:\d+\/v2\/acme\/churn\/tags\/list: .*pass --insecure/s,
    );
  });

  it("names the reference on a 404", async () => {
    const registry = openRemote(server.host, "missing");
    await expect(registry.pull({ name: "nope", tag: "v1" })).rejects.toThrow(
      `model nope:v1 not found in oci://${server.host}/missing (404); there is no model named nope there`,
    );
  });

  it("detects a blob the registry serves with other bytes", async () => {
    // Arrange: corrupt the stored weights on the registry's disk.
    const registry = openRemote(server.host, "corrupt");
    const input = sampleModel("churn", 500, 9);
    await registry.push(input);
    const weightsDigest = computeDigest(input.onnx);
    const hex = digestHex(weightsDigest);
    const blobDir = join(server.storage, "docker", "registry", "v2", "blobs", "sha256", hex.slice(0, 2), hex);
    expect(await readdir(blobDir)).toEqual(["data"]);
    const replacement = new Uint8Array(500).fill(1);
    await writeFile(join(blobDir, "data"), replacement);
    // Act
    const error = await registry.pull({ name: "churn", tag: "v1" }).catch((e: unknown) => e);
    // Assert
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toContain(
      `expected ${weightsDigest}, got ${computeDigest(replacement)}`,
    );
  });

  it("deletes old versions in gc, keeping protected digests", async () => {
    const registry = openRemote(server.host, "gc");
    const v1 = await registry.push(sampleModel("churn", 100, 1, "1111111"));
    const v2 = await registry.push(sampleModel("churn", 100, 2, "2222222"));
    const v3 = await registry.push(sampleModel("churn", 100, 3, "3333333"));
    const report = await registry.gc({ protectedDigests: new Set([v1.digest]), keepVersions: 1 });
    expect(report.deletedManifests).toEqual([{ name: "churn", digest: v2.digest, tags: ["v2", "2222222"] }]);
    expect(report.keptProtected.map((entry) => entry.digest)).toEqual([v1.digest]);
    await expect(registry.pull({ name: "churn", tag: "v2" })).rejects.toThrow(/not found/);
    expect((await registry.pull({ name: "churn", tag: "v3" })).digest).toBe(v3.digest);
  });
});

describe.skipIf(missing !== undefined)("remote registry with basic auth", () => {
  let server: RunningRegistry;
  beforeAll(async () => {
    server = await startDockerRegistry({ basicAuth: { username: "ci", password: "s3cret" } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("pushes and pulls with the right credentials", async () => {
    const registry = openRemote(server.host, "auth", { credentials: { username: "ci", password: "s3cret" } });
    const pushed = await registry.push(sampleModel());
    expect((await registry.pull({ name: "churn", tag: "v1" })).digest).toBe(pushed.digest);
  });

  it.each([
    [
      {},
      /requires basic auth \(HTTP 401\): no credentials for .*: set GITHUB_TOKEN \(GHCR\) or REGISTRY_PASSWORD, and --username/,
    ],
    [{ password: "s3cret" }, /requires basic auth .*pass --username/],
    [{ username: "ci", password: "wrong" }, /HTTP 401 .*the credentials for .* \(user ci\) were rejected/],
  ])("says which credential is missing or wrong: %j", async (credentials, message) => {
    const registry = openRemote(server.host, "auth", { credentials });
    await expect(registry.listTags("churn")).rejects.toThrow(message);
  });
});

describe("remote registry down", () => {
  it("gives up on a registry that accepts connections but never answers", async () => {
    // Arrange: a loopback server that reads requests and never replies.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const address = silent.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    try {
      const registry = openRemote(`127.0.0.1:${port}`, "acme", { timeoutMs: 300 });
      // Act + Assert
      await expect(registry.listTags("churn")).rejects.toThrow(
        `list tags of churn in oci://127.0.0.1:${port}/acme: no answer from http://127.0.0.1:${port}/v2/acme/churn/tags/list within 300 ms`,
      );
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("names the URL when the connection is refused", async () => {
    const port = await freePort();
    const registry = openRemote(`127.0.0.1:${port}`, "acme");
    await expect(registry.pull({ name: "churn", tag: "v1" })).rejects.toThrow(
      `pull manifest churn:v1 from oci://127.0.0.1:${port}/acme: cannot connect to http://127.0.0.1:${port}/v2/acme/churn/manifests/v1: connection refused; is the registry running?`,
    );
  });
});
