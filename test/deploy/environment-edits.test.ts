/**
 * Environment edits are pure text → text: each case gives the file before,
 * the edit, and the file after, written out by hand; everything but the
 * changed values must come back byte for byte.
 */
import { describe, expect, it } from "vitest";
import { parseConfigText } from "../../src/config/load-yaml.js";
import { EnvironmentSpec } from "../../src/config/environment.js";
import {
  buildAbortEdit,
  buildDeployEdit,
  buildPromoteEdit,
  buildRollbackEdit,
  digestOfRef,
  EnvironmentEditError,
  readEnvironmentRefs,
  shortDigest,
} from "../../src/deploy/environment-edits.js";

const d = (c: string) => `sha256:${c.repeat(64)}`;
const r = (tag: string, c: string) => `churn:${tag}@${d(c)}`;

const BASE = `# Staging, written by a person.
name: staging
model: churn
stable: ${r("v1", "1")} # serving now
candidate: null
strategy:
  type: canary   # how new models roll out
  steps: [10, 25, 50, 100]
checks:
  error_rate: { max: 0.02 }
quarantine: [] # never again
`;

const swap = (text: string, from: string, to: string) => {
  expect(text).toContain(from);
  return text.replace(from, to);
};

describe("buildDeployEdit", () => {
  it.each([
    {
      name: "canary sets the candidate only",
      strategy: "canary" as const,
      expected: swap(BASE, "candidate: null", `candidate: ${r("v2", "2")}`),
    },
    {
      name: "the file's own strategy when none is given",
      strategy: undefined,
      expected: swap(BASE, "candidate: null", `candidate: ${r("v2", "2")}`),
    },
    {
      name: "blue-green sets the candidate and the strategy, keeping the comment",
      strategy: "blue-green" as const,
      expected: swap(
        swap(BASE, "candidate: null", `candidate: ${r("v2", "2")}`),
        "type: canary   # how",
        "type: blue-green   # how",
      ),
    },
    {
      name: "simple replaces stable at once",
      strategy: "simple" as const,
      expected: swap(
        swap(BASE, `stable: ${r("v1", "1")} #`, `stable: ${r("v2", "2")} #`),
        "type: canary   #",
        "type: simple   #",
      ),
    },
  ])("$name", ({ strategy, expected }) => {
    // Act
    const out = buildDeployEdit("staging.yaml", BASE, {
      ref: r("v2", "2"),
      ...(strategy === undefined ? {} : { strategy }),
    });

    // Assert
    expect(out).toBe(expected);
    expect(parseConfigText("staging.yaml", out, EnvironmentSpec).ok).toBe(true);
  });

  it("adds a missing candidate line right after stable", () => {
    const text = BASE.replace("candidate: null\n", "");
    const out = buildDeployEdit("s.yaml", text, { ref: r("v2", "2") });
    expect(out).toBe(text.replace("# serving now\n", `# serving now\ncandidate: ${r("v2", "2")}\n`));
  });

  it.each([
    {
      name: "a quarantined digest",
      text: BASE.replace("quarantine: []", `quarantine: [${d("2")}]`),
      ref: r("v2", "2"),
      message: /quarantined/,
    },
    { name: "a reference without digest", text: BASE, ref: "churn:v2", message: /carries no digest/ },
    { name: "broken YAML", text: "name: [unclosed\n", ref: r("v2", "2"), message: /invalid YAML/ },
  ])("refuses $name", ({ text, ref, message }) => {
    expect(() => buildDeployEdit("s.yaml", text, { ref })).toThrow(EnvironmentEditError);
    expect(() => buildDeployEdit("s.yaml", text, { ref })).toThrow(message);
  });
});

describe("buildPromoteEdit", () => {
  it("makes the candidate stable and clears it", () => {
    const text = swap(BASE, "candidate: null", `candidate: ${r("v2", "2")}`);
    const expected = swap(BASE, `stable: ${r("v1", "1")}`, `stable: ${r("v2", "2")}`);
    expect(buildPromoteEdit("s.yaml", text)).toBe(expected);
  });

  it("refuses when there is no candidate", () => {
    expect(() => buildPromoteEdit("s.yaml", BASE)).toThrow(/nothing to promote/);
  });
});

describe("buildRollbackEdit", () => {
  const withCandidate = swap(BASE, "candidate: null", `candidate: ${r("v2", "2")}`);

  it.each([
    {
      name: "a bad candidate is cleared and quarantined into an empty flow list",
      text: withCandidate,
      edit: { badDigest: d("2"), lastGood: r("v1", "1") },
      expected: swap(BASE, "quarantine: [] #", `quarantine: [${d("2")}] #`),
    },
    {
      name: "a bad stable goes back to the last good one",
      text: swap(BASE, `stable: ${r("v1", "1")}`, `stable: ${r("v2", "2")}`),
      edit: { badDigest: d("2"), lastGood: r("v1", "1") },
      expected: swap(BASE, "quarantine: [] #", `quarantine: [${d("2")}] #`),
    },
    {
      name: "a flow list with items gets one more",
      text: swap(withCandidate, "quarantine: []", `quarantine: [${d("a")}]`),
      edit: { badDigest: d("2"), lastGood: null },
      expected: swap(BASE, "quarantine: []", `quarantine: [${d("a")}, ${d("2")}]`),
    },
    {
      name: "a block list keeps its indentation and comments",
      text: swap(
        withCandidate,
        "quarantine: [] # never again\n",
        `quarantine: # never again\n  - ${d("a")} # first\n`,
      ),
      edit: { badDigest: d("2"), lastGood: null },
      expected: swap(
        BASE,
        "quarantine: [] # never again\n",
        `quarantine: # never again\n  - ${d("a")} # first\n  - ${d("2")}\n`,
      ),
    },
    {
      name: "a missing quarantine is added at the end",
      text: withCandidate.replace("quarantine: [] # never again\n", ""),
      edit: { badDigest: d("2"), lastGood: null },
      expected: BASE.replace("quarantine: [] # never again\n", `quarantine: [${d("2")}]\n`),
    },
    {
      name: "a digest already quarantined is not listed twice",
      text: swap(withCandidate, "quarantine: []", `quarantine: [${d("2")}]`),
      edit: { badDigest: d("2"), lastGood: null },
      expected: swap(BASE, "quarantine: []", `quarantine: [${d("2")}]`),
    },
  ])("$name", ({ text, edit, expected }) => {
    expect(buildRollbackEdit("s.yaml", text, edit)).toBe(expected);
  });

  it.each([
    {
      name: "a digest that does not serve",
      edit: { badDigest: d("9"), lastGood: null },
      message: /nothing to roll back/,
    },
    {
      name: "a bad stable without a last good one",
      edit: { badDigest: d("1"), lastGood: null },
      message: /no earlier good/,
    },
    {
      name: "a last good that is the bad one",
      edit: { badDigest: d("1"), lastGood: r("v1", "1") },
      message: /is the bad one/,
    },
  ])("refuses $name", ({ edit, message }) => {
    expect(() => buildRollbackEdit("s.yaml", BASE, edit)).toThrow(message);
  });
});

describe("buildAbortEdit", () => {
  it("quarantines the candidate and keeps stable", () => {
    const text = swap(BASE, "candidate: null", `candidate: ${r("v2", "2")}`);
    expect(buildAbortEdit("s.yaml", text)).toBe(swap(BASE, "quarantine: [] #", `quarantine: [${d("2")}] #`));
  });

  it("refuses without a rollout in progress", () => {
    expect(() => buildAbortEdit("s.yaml", BASE)).toThrow(/no rollout in progress/);
  });
});

describe("helpers", () => {
  it.each([
    [r("v1", "1"), d("1")],
    ["churn:v1", undefined],
    [null, undefined],
  ])("digestOfRef(%s) = %s", (ref, digest) => {
    expect(digestOfRef(ref)).toBe(digest);
  });

  it("shortDigest keeps 12 hex digits", () => {
    expect(shortDigest(`sha256:abcdef0123456789${"0".repeat(48)}`)).toBe("abcdef012345");
  });

  it("readEnvironmentRefs reads without validating", () => {
    expect(readEnvironmentRefs("s.yaml", BASE)).toEqual({
      stable: r("v1", "1"),
      candidate: null,
      quarantine: [],
    });
  });
});
