import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { RegistryError } from "../../src/common/errors.js";
import { openModelRegistry } from "../../src/registry/model-registry.js";
import {
  collectEnvironmentReferences,
  resolveProtectedDigests,
} from "../../src/registry/protected-digests.js";
import { sampleModel } from "./sample-model.js";

const A = `sha256:${"a".repeat(64)}`;
const B = `sha256:${"b".repeat(64)}`;
const C = `sha256:${"c".repeat(64)}`;

describe("collectEnvironmentReferences", () => {
  it("finds pinned digests anywhere and tag-only references under stable and candidate", () => {
    // Arrange
    const staging = parse(
      `model: churn\nstable: churn:v3@${A}\ncandidate: churn:v4\nquarantine: [${B}]\n`,
    ) as unknown;
    const production = parse(
      `model: churn\nstable: churn@${C}\ncandidate: null\nnotes: "not a ref: churn"\n`,
    ) as unknown;
    // Act
    const references = collectEnvironmentReferences([staging, production]);
    // Assert
    expect([...references.digests].sort()).toEqual([A, B, C]);
    expect(references.tagReferences).toEqual([{ name: "churn", tag: "v4" }]);
  });
});

describe("resolveProtectedDigests", () => {
  it("adds what tag-only references resolve to and ignores tags the registry lacks", async () => {
    const root = await mkdtemp(join(tmpdir(), "mc-protect-"));
    try {
      const registry = openModelRegistry({ kind: "local", root });
      const v1 = await registry.push(sampleModel());
      const digests = await resolveProtectedDigests(registry, {
        digests: new Set([A]),
        tagReferences: [
          { name: "churn", tag: "v1" },
          { name: "churn", tag: "v7" },
        ],
      });
      expect([...digests].sort()).toEqual([A, v1.digest].sort());
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("stops when the registry cannot answer, rather than protecting too little", async () => {
    const failing = {
      resolve: () =>
        Promise.reject(new RegistryError("cannot connect to http://127.0.0.1:1/v2/: connection refused")),
    };
    await expect(
      resolveProtectedDigests(failing, { digests: new Set(), tagReferences: [{ name: "churn", tag: "v1" }] }),
    ).rejects.toThrow(/connection refused/);
  });
});
