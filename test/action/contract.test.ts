/**
 * The Action's contract: `action.yml` declares exactly the inputs and outputs
 * the code reads and writes, passes every input to the entry, and runs the
 * entry that the build compiles from `src/action/index.ts`.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ACTION_INPUTS, ACTION_OUTPUTS, parseActionInputs } from "../../src/action/inputs.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

interface ActionYaml {
  inputs: Record<string, { description: string; required: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: {
    using: string;
    steps: {
      id?: string;
      uses?: string;
      with?: Record<string, unknown>;
      env?: Record<string, string>;
      run?: string;
    }[];
  };
}

const action = parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as ActionYaml;
const runStep = action.runs.steps.find((s) => s.id === "run");

describe("action.yml", () => {
  it("declares the inputs the code parses, with the same descriptions and defaults", () => {
    // Arrange
    const declared = Object.fromEntries(
      Object.entries(action.inputs).map(([name, i]) => [
        name,
        { description: i.description, required: i.required, default: i.default },
      ]),
    );

    // Act
    const expected = Object.fromEntries(
      Object.entries(ACTION_INPUTS).map(([name, i]) => [
        name,
        { description: i.description, required: i.required, default: i.default },
      ]),
    );

    // Assert
    expect(declared).toEqual(expected);
  });

  it("declares the outputs the code writes, each wired to the run step", () => {
    expect(Object.keys(action.outputs).sort()).toEqual(Object.keys(ACTION_OUTPUTS).sort());
    for (const [name, output] of Object.entries(action.outputs)) {
      expect(output.description).toBe(ACTION_OUTPUTS[name as keyof typeof ACTION_OUTPUTS].description);
      expect(output.value).toBe(`\${{ steps.run.outputs.${name} }}`);
    }
  });

  it.each(Object.keys(ACTION_INPUTS))("passes input %s to the entry as the code reads it", (name) => {
    // Arrange
    const variable = `INPUT_${name.toUpperCase().replace(/-/g, "_")}`;

    // Act: the entry parses what the composite step maps
    const value = runStep?.env?.[variable];

    // Assert
    expect(value).toBe(`\${{ inputs.${name} }}`);
  });

  it("runs the entry compiled from src/action/index.ts on the Node its set-up chose, changing no later step's Node, with no built file committed on main", () => {
    // Arrange
    const setup = action.runs.steps.find((s) => s.id === "setup");
    const pathChanges = action.runs.steps.filter(
      (s) => s.uses?.startsWith("actions/setup-node@") === true || (s.run ?? "").includes("GITHUB_PATH"),
    );
    const build = JSON.parse(readFileSync(join(ROOT, "tsconfig.build.json"), "utf8")) as {
      compilerOptions: { rootDir: string; outDir: string };
    };
    const tracked = execFileSync("git", ["ls-files", "--", build.compilerOptions.outDir], {
      cwd: ROOT,
      encoding: "utf8",
    });

    // Assert: on main, dist/ is built by `npm ci` (prepare) at run time, so it cannot be stale
    expect(action.runs.using).toBe("composite");
    expect(setup?.run).toBe('"$GITHUB_ACTION_PATH/scripts/action-setup.sh"');
    expect(pathChanges).toEqual([]);
    expect(runStep?.run).toBe(
      `"\${{ steps.setup.outputs.node }}" "\${{ github.action_path }}/${build.compilerOptions.outDir}/action/index.js"`,
    );
    expect(build.compilerOptions.rootDir).toBe("src");
    // Only a release commit carries dist/, and then it must equal a build of its sources.
    if (tracked !== "") execFileSync(join(ROOT, "scripts", "check-dist.sh"), { cwd: ROOT, stdio: "pipe" });
    else expect(tracked).toBe("");
  });
});

describe("parseActionInputs", () => {
  const defaults = () => "";

  it("applies the declared defaults to empty inputs", () => {
    expect(parseActionInputs(defaults)).toEqual({
      command: "train",
      pipelines: "pipelines/*.yaml",
      changedOnly: true,
      registry: "",
      githubToken: "",
      comment: true,
      failOnGates: true,
    });
  });

  it.each([
    [{ command: "deploy" }, /input command expects one of train, evaluate, validate, drift; got "deploy"/],
    [{ "changed-only": "maybe" }, /input changed-only expects true or false; got "maybe"/],
    [{ "fail-on-gates": "2" }, /input fail-on-gates expects true or false; got "2"/],
    [{ shard: "5/4" }, /shard/],
    [{ shard: "1/4", "merge-trials": "t/*.jsonl" }, /shard and merge-trials exclude each other/],
  ])("refuses %o with a message naming the input", (values, message) => {
    const read = (name: string) => (values as Record<string, string>)[name] ?? "";
    expect(() => parseActionInputs(read)).toThrow(message);
  });

  it.each([
    ["False", false],
    ["no", false],
    ["TRUE", true],
    ["on", true],
  ])("reads %s as %s", (text, value) => {
    expect(parseActionInputs((name) => (name === "comment" ? text : "")).comment).toBe(value);
  });

  it("parses a shard", () => {
    expect(parseActionInputs((name) => (name === "shard" ? " 2/4 " : "")).shard).toEqual({
      index: 2,
      count: 4,
    });
  });
});
