/**
 * Cross-check with an independent OCI implementation: Debian's skopeo reads
 * our local layout and our remote artifact, and copies them (verifying every
 * digest on the way). skopeo 1.9's non-raw `inspect` refuses any artifact
 * whose config is not an image config ("unsupported image-specific operation
 * on artifact with type application/vnd.cncf.model.config.v1+json"), so the
 * checks use `inspect --raw`, `inspect --config --raw` and `copy`.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeDigest, digestHex } from "../../src/registry/digest.js";
import { openModelRegistry } from "../../src/registry/model-registry.js";
import {
  dockerRegistryMissing,
  type RunningRegistry,
  SKOPEO_BINARY,
  skopeoMissing,
  startDockerRegistry,
} from "../helpers/docker-registry.js";
import { sampleModel } from "./sample-model.js";

const run = promisify(execFile);
const missing = skopeoMissing() ?? dockerRegistryMissing();
if (missing) console.warn(`skipping skopeo cross-check: ${missing}`);

async function skopeo(...args: string[]): Promise<string> {
  const { stdout } = await run(SKOPEO_BINARY, ["--insecure-policy", ...args], { timeout: 30_000 });
  return stdout;
}

describe.skipIf(missing !== undefined)("skopeo reads what we store", () => {
  let dir: string;
  let server: RunningRegistry;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "mc-skopeo-"));
    server = await startDockerRegistry();
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("reads the local layout: manifest, config, and blobs by digest", async () => {
    // Arrange
    const root = join(dir, "layout");
    const input = sampleModel("churn", 3000, 4);
    const pushed = await openModelRegistry({ kind: "local", root }).push(input);
    // Act
    const raw = await skopeo("inspect", "--raw", `oci:${join(root, "churn")}:v1`);
    const config = JSON.parse(
      await skopeo("inspect", "--config", "--raw", `oci:${join(root, "churn")}:0123456`),
    ) as {
      descriptor: { name: string; version: string };
      modelfs: { diffIds: string[] };
      config: { format: string };
    };
    const copy = join(dir, "copy-local");
    await skopeo("copy", `oci:${join(root, "churn")}:v1`, `dir:${copy}`);
    // Assert
    expect(computeDigest(new TextEncoder().encode(raw))).toBe(pushed.digest);
    expect(config.descriptor).toMatchObject({ name: "churn", version: "v1" });
    expect(config.config.format).toBe("onnx");
    expect(config.modelfs.diffIds[0]).toBe(computeDigest(input.onnx));
    expect(new Uint8Array(await readFile(join(copy, digestHex(computeDigest(input.onnx)))))).toEqual(
      input.onnx,
    );
  });

  it("reads the remote artifact, and what skopeo pushes we pull back verified", async () => {
    // Arrange
    const remote = openModelRegistry({
      kind: "remote",
      host: server.host,
      namespace: "acme",
      baseUrl: server.baseUrl,
    });
    const input = sampleModel("churn", 3000, 5);
    const pushed = await remote.push(input);
    const root = join(dir, "layout-2");
    const local = openModelRegistry({ kind: "local", root });
    const localInput = sampleModel("fraud", 2000, 6);
    const localPushed = await local.push(localInput);
    // Act
    const raw = await skopeo(
      "inspect",
      "--tls-verify=false",
      "--raw",
      `docker://${server.host}/acme/churn:v1`,
    );
    const copy = join(dir, "copy-remote");
    await skopeo("copy", "--src-tls-verify=false", `docker://${server.host}/acme/churn:v1`, `dir:${copy}`);
    await skopeo(
      "copy",
      "--dest-tls-verify=false",
      `oci:${join(root, "fraud")}:v1`,
      `docker://${server.host}/acme/fraud:v1`,
    );
    const pulled = await remote.pull({ name: "fraud", tag: "v1" });
    // Assert
    expect(computeDigest(new TextEncoder().encode(raw))).toBe(pushed.digest);
    expect(new Uint8Array(await readFile(join(copy, digestHex(computeDigest(input.onnx)))))).toEqual(
      input.onnx,
    );
    expect(pulled.digest).toBe(localPushed.digest);
    expect(pulled.onnx).toEqual(localInput.onnx);
  });
});
