import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readLinkAllowList, sanitizeForGitHub } from "../../src/common/sanitize-markdown.js";
import { loadInjectionCorpus } from "../helpers/injection-corpus.js";
import { findUnsafe } from "../helpers/markdown-safety.js";

const allowedHosts = ["github.com", "ghcr.io"];
const SECRETS = ["sk-proj-abcdefghijklmnopqrstuvwx1234", "ghp_0123456789abcdefghijABCDEFGHIJ012345"];

/** Pieces an attacker would combine. */
const fragment = fc.constantFrom(
  "@",
  "@team",
  "@org/team",
  "a@b.io",
  "<",
  ">",
  "<!--",
  "-->",
  " meta-controller:report ",
  "<img src=x>",
  "![",
  "](",
  ")",
  "[",
  "]",
  "https://",
  "http://",
  "www.",
  "evil.example",
  "github.com",
  "github.com@",
  "/deploy",
  "/",
  "\n",
  "\r\n",
  "`",
  "``",
  "\\",
  "&",
  "#",
  "&#60;",
  "&lt;",
  "javascript:",
  "\u200b",
  "\u202e",
  "＠",
  "／",
  ":",
  " ",
  "*",
  "|",
  ...SECRETS,
);
const adversarial = fc
  .array(fc.oneof(fragment, fc.string({ maxLength: 4 })), { maxLength: 40 })
  .map((p) => p.join(""));

/** Places a rendered piece the way posters do: alone, at a line start, in a table cell, in a list item. */
function contexts(piece: string): string[] {
  return [
    piece,
    `${piece}\n`,
    `before ${piece} after`,
    `| key | ${piece} |\n| --- | --- |\n| a | ${piece} |`,
    `- ${piece}`,
    `1. ${piece}`,
  ];
}

function check(input: string, maxLength: number): void {
  const out = sanitizeForGitHub(input, { allowedHosts, maxLength });
  expect(out.length).toBeLessThanOrEqual(maxLength);
  expect(out).not.toMatch(/[\r\n]/);
  for (const secret of SECRETS) expect(out).not.toContain(secret);
  for (const doc of contexts(out)) expect(findUnsafe(doc, { allowedHosts })).toEqual([]);
}

describe("sanitizeForGitHub, the one sanitiser for everything posted", () => {
  it("renders no HTML, image, foreign link, mention, marker or command for arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), fc.integer({ min: 1, max: 400 }), check),
      { numRuns: 500 },
    );
  });

  it("renders none for adversarial combinations of attack fragments", () => {
    fc.assert(fc.property(adversarial, fc.integer({ min: 1, max: 600 }), check), { numRuns: 1500 });
  });

  it.each(loadInjectionCorpus().map((a) => [a]))("renders the corpus attack %j harmless", (attack) => {
    check(attack, 2000);
  });

  it("keeps an allow-listed https link as a link and defangs a lookalike", () => {
    const out = sanitizeForGitHub(
      "see https://github.com/acme/models/pull/2 and https://github.com@evil.example/x",
      { allowedHosts },
    );

    expect(out).toContain("<https://github.com/acme/models/pull/2>");
    expect(out).toContain("removed");
    expect(out).not.toContain("evil.example/x");
  });

  it("neutralises an e-mail address so GitHub forms no mailto link", () => {
    expect(findUnsafe(sanitizeForGitHub("mail a@b.io", { allowedHosts }), { allowedHosts })).toEqual([]);
    expect(findUnsafe("mail a@b.io", { allowedHosts })).not.toEqual([]);
  });

  it("the oracle itself finds each kind of harm in unsanitised text", () => {
    const found = loadInjectionCorpus().filter((a) => findUnsafe(a, { allowedHosts }).length > 0);

    // Every attack but the pure-formatting and secret-only lines is caught raw.
    expect(found.length).toBeGreaterThanOrEqual(25);
  });
});

describe("readLinkAllowList (LINK_ALLOWED_HOSTS)", () => {
  it.each([
    [undefined, ["github.com"]],
    ["", []],
    ["github.com, ghcr.io  Example.COM", ["github.com", "ghcr.io", "example.com"]],
  ])("%j → %j", (value, expected) => {
    expect(readLinkAllowList(value === undefined ? {} : { LINK_ALLOWED_HOSTS: value })).toEqual(expected);
  });
});

describe("sanitizeForGitHub styles", () => {
  it.each([
    ["code", "churn:v1", "`churn:v1`"],
    ["code", "a`b", "a\\`b"],
    ["code", "@team", "`@team`"],
    ["plain", "2026-11-28T04:00:00.000Z", "2026-11-28T04:00:00.000Z"],
    ["plain", "www.evil.example", "(link to www\\[\\.\\]evil\\[\\.\\]example removed)"],
    ["plain", "<b>", "&lt;b&gt;"],
  ] as const)("%s style renders %j as %j", (style, input, expected) => {
    expect(sanitizeForGitHub(input, { allowedHosts, style })).toBe(expected);
  });

  it.each(["code", "plain"] as const)(
    "%s style keeps the property: nothing unsafe for adversarial input",
    (style) => {
      fc.assert(
        fc.property(adversarial, (input) => {
          const out = sanitizeForGitHub(input, { allowedHosts, maxLength: 300, style });
          expect(out.length).toBeLessThanOrEqual(300);
          for (const doc of contexts(out)) expect(findUnsafe(doc, { allowedHosts })).toEqual([]);
        }),
        // Counterexamples found once: an empty user before an allowed host; a backslash the URL parser reads as a slash.
        {
          numRuns: 800,
          examples: [["&#60;https://@github.com"], ["https://@github.com/x"], ["https://\\github.com"]],
        },
      );
    },
  );

  it.each(["text", "code", "plain"] as const)(
    "%s style links no URL with an empty user before the host",
    (style) => {
      const out = sanitizeForGitHub("see https://@github.com/acme", { allowedHosts, style });
      expect(out).not.toContain("<https://");
      for (const doc of contexts(out)) expect(findUnsafe(doc, { allowedHosts })).toEqual([]);
    },
  );
});
