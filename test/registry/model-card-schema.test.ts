import { describe, expect, it } from "vitest";
import { RegistryError } from "../../src/common/errors.js";
import { decodeModelCard, encodeModelCard, parseModelCard } from "../../src/registry/model-card-schema.js";
import { sampleCard } from "./sample-model.js";

const valid = { ...sampleCard(), name: "churn", version: "v3" };

describe("model card schema", () => {
  it("round-trips a valid card through its stored bytes", () => {
    const card = parseModelCard(valid, "card");
    expect(decodeModelCard(encodeModelCard(card), "card")).toEqual(card);
  });

  it.each([
    [{ version: "3" }, "card: version: expected v<N>, e.g. v3"],
    [{ git_commit: "HEAD" }, "card: git_commit: expected a git commit hash"],
    [{ created_at: "yesterday" }, "card: created_at:"],
    [
      { data_files: [{ path: "d.csv", sha256: "xyz" }] },
      "card: data_files.0.sha256: expected 64 lowercase hex digits",
    ],
    [
      { features: [{ name: "age", type: "numeric", categories: ["a"] }] },
      "card: features.0.categories: a numeric feature has no categories",
    ],
    [{ features: [{ name: "age", type: "text" }] }, "card: features.0.type:"],
    [
      {
        features: [
          { name: "age", type: "numeric" },
          { name: "age", type: "numeric" },
        ],
      },
      "card: features.1.name: duplicate feature age",
    ],
    [{ classes: undefined }, "card: classes: a classifier's card lists its classes"],
    [{ reference_profile: { version: 2 } }, "card: reference_profile.version:"],
    [{ unknown_field: 1 }, "card: (card): Unrecognized key"],
  ])("rejects %j naming the field", (patch, message) => {
    expect(() => parseModelCard({ ...valid, ...patch }, "card")).toThrow(RegistryError);
    expect(() => parseModelCard({ ...valid, ...patch }, "card")).toThrow(message);
  });

  it("rejects bytes that are not JSON", () => {
    expect(() => decodeModelCard(new TextEncoder().encode("{"), "model-card.json of churn:v1")).toThrow(
      /model-card.json of churn:v1: the model card is not valid UTF-8 JSON/,
    );
  });
});
