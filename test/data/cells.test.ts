import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NUMBER_PATTERN, parseNumberCell } from "../../src/data/cells.js";

describe("parseNumberCell", () => {
  it.each([
    ["1", 1],
    ["-2.5", -2.5],
    [".5", 0.5],
    ["3.", 3],
    ["+4", 4],
    ["1e-3", 0.001],
    ["6.02E+23", 6.02e23],
    ["007", 7],
    ["0", 0],
  ])("reads %s as %d", (text, expected) => {
    expect(parseNumberCell(text)).toBe(expected);
  });

  it.each(["", ".", "-", "0x1f", "0b101", "0o17", "Infinity", "-Infinity", "1e", "1_000", "1,5", "e5", "1.2.3", "yes"])(
    "refuses %j",
    (text) => {
      expect(parseNumberCell(text)).toBeNaN();
    },
  );

  it("accepts exactly the strings of the number grammar", () => {
    const alphabet = fc.constantFrom(..."0123456789+-.eExXbBoOIn ".split(""));
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 8 }), (text) => {
        expect(Number.isNaN(parseNumberCell(text))).toBe(!NUMBER_PATTERN.test(text));
      }),
      { numRuns: 5000 },
    );
  });
});
