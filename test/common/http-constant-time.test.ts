import { describe, expect, it } from "vitest";
import { bearerHeader, hasBearerToken, safeEqual } from "../../src/common/http/constant-time.js";

describe("safeEqual", () => {
  it.each([
    ["s3cret", "s3cret", true],
    ["s3cret", "s3creT", false],
    ["s3cret", "s3cre", false],
    ["s3cret", "s3cret-and-more", false],
    ["", "", true],
    ["", "x", false],
    ["é", "e\u0301", false],
  ])("%j vs %j → %s", (a, b, expected) => {
    expect(safeEqual(a, b)).toBe(expected);
    expect(safeEqual(b, a)).toBe(expected);
  });
});

describe("hasBearerToken", () => {
  it.each([
    ["Bearer tok", true],
    ["bearer tok", true],
    ["BEARER  tok  ", true],
    [bearerHeader("tok"), true],
    ["Bearer to", false],
    ["Bearer tok2", false],
    ["Basic tok", false],
    ["tok", false],
    [undefined, false],
  ])("%j → %s", (header, expected) => {
    expect(hasBearerToken(header, "tok")).toBe(expected);
  });
});
