/** GitHub's refusals of auto-merge are sorted into the cases the bot works around. */
import { describe, expect, it } from "vitest";
import { classifyAutoMergeError } from "../../src/github/rest-pull-requests.js";

describe("classifyAutoMergeError", () => {
  it.each([
    ["Pull request Pull request is in clean status", "clean_status"],
    ["Pull request Auto merge is not allowed for this repository", "not_allowed"],
    ["Could not resolve to a node with the global id of 'PR_1'", undefined],
  ])("%s → %s", (message, expected) => {
    expect(classifyAutoMergeError(message)).toBe(expected);
  });
});
