/** Comment commands are parsed forgivingly: case, spacing, argument order. */
import { describe, expect, it } from "vitest";
import { COMMAND_NAMES, parseCommand, renderHelp } from "../../src/bot/commands.js";

const REF = `churn:v3@sha256:${"a".repeat(64)}`;

describe("parseCommand", () => {
  it.each([
    { body: "/deploy", expected: { name: "deploy", force: false } },
    { body: "  /DEPLOY   Canary  ", expected: { name: "deploy", force: false, strategy: "canary" } },
    { body: "/deploy blue-green", expected: { name: "deploy", force: false, strategy: "blue-green" } },
    { body: "/deploy BlueGreen", expected: { name: "deploy", force: false, strategy: "blue-green" } },
    {
      body: `/deploy simple ${REF} to Production`,
      expected: { name: "deploy", force: false, strategy: "simple", ref: REF, environment: "production" },
    },
    {
      body: `/deploy to staging ${REF} canary --force`,
      expected: { name: "deploy", force: true, strategy: "canary", ref: REF, environment: "staging" },
    },
    { body: "/deploy env=qa", expected: { name: "deploy", force: false, environment: "qa" } },
    { body: "/rollback", expected: { name: "rollback", force: false } },
    { body: "/rollback production", expected: { name: "rollback", force: false, environment: "production" } },
    {
      body: "/ rollback to production",
      expected: { name: "rollback", force: false, environment: "production" },
    },
    { body: "/promote qa", expected: { name: "promote", force: false, environment: "qa" } },
    { body: "/Abort", expected: { name: "abort", force: false } },
    { body: "/status staging", expected: { name: "status", force: false, environment: "staging" } },
    { body: "/diagnose", expected: { name: "diagnose", force: false } },
    { body: "/retrain churn", expected: { name: "retrain", pipeline: "churn" } },
    { body: "/retrain", expected: { name: "retrain" } },
    { body: "/help", expected: { name: "help" } },
    { body: "/frobnicate", expected: { name: "unknown", word: "frobnicate" } },
    {
      body: "Looks good!\n\n/promote staging\nthanks",
      expected: { name: "promote", force: false, environment: "staging" },
    },
    {
      body: "/deploy Sideways!",
      expected: {
        name: "invalid",
        command: "deploy",
        reason: "`Sideways!` is neither a strategy nor a model reference",
      },
    },
    { body: "/status a b", expected: { name: "invalid", command: "status", reason: "unexpected `a b`" } },
    {
      body: "/deploy to",
      expected: {
        name: "invalid",
        command: "deploy",
        reason: "`to` must be followed by an environment name",
      },
    },
    {
      body: "/retrain a b",
      expected: { name: "invalid", command: "retrain", reason: "give at most one pipeline name" },
    },
    { body: "/UNDO", expected: { name: "undo" } },
    {
      body: "/undo production",
      expected: { name: "invalid", command: "undo", reason: "takes no arguments" },
    },
  ])("$body", ({ body, expected }) => {
    expect(parseCommand(body)).toEqual(expected);
  });

  it.each([
    { name: "plain text", body: "please deploy this" },
    { name: "a quoted command", body: "> /rollback production\nno thanks" },
    { name: "a command in a code block", body: "```\n/rollback production\n```" },
    { name: "a slash inside a sentence", body: "see docs/deploy for details" },
    { name: "a command in indented code", body: "Run this:\n\n    /rollback production\n" },
    { name: "a command in an HTML comment", body: "LGTM\n<!--\n/rollback production\n-->" },
    { name: "a command in a details block", body: "<details>\n/rollback production\n</details>" },
    { name: "a command after inline HTML", body: "see <details>\n/rollback production" },
    { name: "a command in inline code", body: "`/rollback production`" },
    { name: "a command in a list", body: "- /rollback production" },
  ])("finds no command in $name", ({ body }) => {
    expect(parseCommand(body)).toBeUndefined();
  });

  it("lists every command in the help text", () => {
    const help = renderHelp();
    for (const name of COMMAND_NAMES) {
      expect(help).toContain(`| \`/${name}`);
    }
  });
});
