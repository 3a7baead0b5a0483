import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { RegistryError, UsageError } from "../../src/common/errors.js";
import { computeDigest, verifyDigest } from "../../src/registry/digest.js";
import { computeFileSha256 } from "../../src/registry/file-digest.js";
import {
  computeNextVersionTag,
  DEFAULT_LOCAL_REGISTRY,
  formatModelReference,
  parseModelReference,
  parseRegistryLocation,
} from "../../src/registry/reference.js";

const D = `sha256:${"ab".repeat(32)}`;

describe("parseModelReference", () => {
  it.each([
    ["churn:v3", { name: "churn", tag: "v3" }],
    [`churn@${D}`, { name: "churn", digest: D }],
    [`churn:v3@${D}`, { name: "churn", tag: "v3", digest: D }],
    ["team/churn-model:abc1234", { name: "team/churn-model", tag: "abc1234" }],
    ["a.b__c--d:Tag_1.x", { name: "a.b__c--d", tag: "Tag_1.x" }],
  ])("parses %s", (text, expected) => {
    // Act
    const ref = parseModelReference(text);
    // Assert
    expect(ref).toEqual(expected);
    expect(formatModelReference(ref)).toBe(text);
  });

  it.each([
    ["", /empty/],
    ["Churn:v1", /component "Churn" is invalid/],
    ["churn:-v1", /tag "-v1" is invalid/],
    ["churn@sha256:1234", /digest "sha256:1234" is invalid/],
    ["churn", /neither a tag nor a digest; write churn:v1/],
    ["../etc:v1", /component "\.\." is invalid/],
    ["churn/:v1", /component "" is invalid/],
    [`churn:${"x".repeat(129)}`, /tag .* is invalid/],
  ])("rejects %j", (text, message) => {
    expect(() => parseModelReference(text)).toThrow(RegistryError);
    expect(() => parseModelReference(text)).toThrow(message);
  });

  it("uses a default tag only when asked to", () => {
    expect(parseModelReference("churn", { defaultTag: "latest" })).toEqual({ name: "churn", tag: "latest" });
  });
});

describe("computeNextVersionTag", () => {
  it.each([
    [[], "v1"],
    [["v1", "v2", "abc1234"], "v3"],
    [["v9", "v10", "v2"], "v11"],
    [["latest", "v01", "v0", "x9"], "v1"],
  ])("after %j is %s", (tags, expected) => {
    expect(computeNextVersionTag(tags)).toBe(expected);
  });
});

describe("parseRegistryLocation", () => {
  const base = { repoRoot: "/repo", resolvePath: resolve };

  it.each([
    [undefined, false, { kind: "local", root: resolve("/repo", DEFAULT_LOCAL_REGISTRY) }],
    ["models", false, { kind: "local", root: "/repo/models" }],
    ["file:///srv/models", false, { kind: "local", root: "/srv/models" }],
    [
      "oci://ghcr.io/acme/models",
      false,
      { kind: "remote", host: "ghcr.io", namespace: "acme/models", baseUrl: "https://ghcr.io" },
    ],
    [
      "oci://127.0.0.1:5000",
      true,
      { kind: "remote", host: "127.0.0.1:5000", namespace: "", baseUrl: "http://127.0.0.1:5000" },
    ],
    [
      "oci://localhost:5000/ns/",
      true,
      { kind: "remote", host: "localhost:5000", namespace: "ns", baseUrl: "http://localhost:5000" },
    ],
  ])("reads %j (insecure %s)", (text, insecure, expected) => {
    expect(parseRegistryLocation(text, { ...base, insecure })).toEqual(expected);
  });

  it.each([
    ["oci://ghcr.io/acme", true, /--insecure allows plain http only to loopback.*ghcr\.io/],
    ["https://ghcr.io/acme", false, /not supported; use oci:\/\/host/],
    ["oci://user:pw@ghcr.io/acme", false, /carries credentials/],
    ["oci://ghcr.io/Acme", false, /namespace .*"Acme" is invalid/],
  ])("rejects %j", (text, insecure, message) => {
    expect(() => parseRegistryLocation(text, { ...base, insecure })).toThrow(UsageError);
    expect(() => parseRegistryLocation(text, { ...base, insecure })).toThrow(message);
  });
});

describe("digests", () => {
  // FIPS 180-2 SHA-256 test vectors.
  it.each([
    ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
  ])("sha256 of %j", (text, hex) => {
    expect(computeDigest(new TextEncoder().encode(text))).toBe(`sha256:${hex}`);
  });

  it("hashes a file by streaming it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mc-digest-"));
    try {
      // FIPS 180-2: one million repetitions of "a".
      await writeFile(join(dir, "a.bin"), "a".repeat(1_000_000));
      expect(await computeFileSha256(join(dir, "a.bin"))).toBe(
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
      );
      await expect(computeFileSha256(join(dir, "missing.csv"))).rejects.toThrow(/cannot read .*missing\.csv/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("names both digests on a mismatch", () => {
    const bytes = new TextEncoder().encode("abc");
    expect(() => verifyDigest(bytes, D, "layer model.onnx")).toThrow(
      `digest mismatch for layer model.onnx: expected ${D}, got sha256:ba7816bf`,
    );
  });

  it("names the sizes on a size mismatch", () => {
    const bytes = new TextEncoder().encode("abc");
    expect(() => verifyDigest(bytes, computeDigest(bytes), "config", 4)).toThrow(
      /manifest says 4 bytes, the blob has 3/,
    );
  });
});
