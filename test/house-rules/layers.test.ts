/**
 * The import rules fire: text is linted as if it were a file in `src/`
 * (ESLint's `lintText` with a `filePath`), so nothing is written into the
 * checkout. The rules run with the options `eslint.config.js` gives them,
 * under a config of their own (no type information: the planted files are in
 * no tsconfig, and these rules need none).
 */
import { ESLint, type Linter } from "eslint";
import { posix } from "node:path";
import { fileURLToPath } from "node:url";
import tseslint from "typescript-eslint";
import { beforeAll, describe, expect, it } from "vitest";
import { buildImportGraph } from "../../eslint-rules/import-graph.js";
import { layers as layerTable } from "../../eslint-rules/layer-table.js";
import layers from "../../eslint-rules/layers.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

let eslint: ESLint;
let configured: Linter.RulesRecord;

beforeAll(async () => {
  const project = new ESLint({ cwd: ROOT });
  const config = (await project.calculateConfigForFile("src/data/planted.ts")) as {
    rules: Linter.RulesRecord;
  };
  configured = config.rules;
  eslint = new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ["**/*.ts"],
        languageOptions: { parser: tseslint.parser },
        plugins: { layers },
        rules: {
          "layers/layers": configured["layers/layers"]!,
          "layers/no-cycle": configured["layers/no-cycle"]!,
          "max-lines-per-function": configured["max-lines-per-function"]!,
        },
      },
    ],
  });
});

/** The relative specifier with which `from` imports `to` (both repository-relative). */
function specifierFrom(from: string, to: string): string {
  const path = posix.relative(posix.dirname(from), to).replace(/\.ts$/, ".js");
  return path.startsWith(".") ? path : `./${path}`;
}

async function lint(text: string, filePath: string): Promise<{ ruleId: string | null; message: string }[]> {
  const [result] = await eslint.lintText(text, { filePath });
  return result!.messages.map(({ ruleId, message }) => ({ ruleId, message }));
}

describe("layer lint", () => {
  it("is switched on as an error for src/ in eslint.config.js", () => {
    expect(configured["layers/layers"]).toEqual([2]);
    expect(configured["layers/no-cycle"]).toEqual([2]);
  });

  it("fails on an upward import: a capability reaching into an entry point", async () => {
    const messages = await lint(
      'import { x } from "../bot/app.js";\nexport const y = x;\n',
      "src/data/planted.ts",
    );
    expect(messages).toEqual([
      {
        ruleId: "layers/layers",
        message: expect.stringContaining("data (capabilities) must not import bot (entry points)") as string,
      },
    ]);
  });

  it.each([
    [
      "a capability importing one above it",
      "src/learners/planted.ts",
      "../data/frame.js",
      "data (capabilities) is above",
    ],
    ["the base importing a capability", "src/common/planted.ts", "../data/frame.js", "imports point down"],
    [
      "one use case importing another",
      "src/serve/planted.ts",
      "../pipeline/train.js",
      "use cases do not import",
    ],
    [
      "one entry point importing another",
      "src/action/planted.ts",
      "../cli/main.js",
      "entry points do not import",
    ],
    [
      "the CLI reaching past the bot's entry file",
      "src/cli/planted.ts",
      "../bot/app.js",
      "bot (entry points)",
    ],
    ["a re-export upward", "src/config/planted.ts", "../registry/reference.js", "imports point down"],
    ["a dynamic import upward", "src/deploy/planted.ts", "../serve/start-server.js", "imports point down"],
    [
      "a use case reaching past the onnx folder's entrance",
      "src/pipeline/planted.ts",
      "../onnx/session.js",
      "entered through src/onnx/index.ts only",
    ],
  ])("fails on %s", async (_what, filePath, specifier, why) => {
    const text = specifier.startsWith("../registry")
      ? `export * from "${specifier}";\n`
      : specifier.startsWith("../serve")
        ? `export const load = () => import("${specifier}");\n`
        : `import { x } from "${specifier}";\nexport const y = x;\n`;
    const messages = await lint(text, filePath);
    expect(messages.map((m) => m.ruleId)).toEqual(["layers/layers"]);
    expect(messages[0]!.message).toContain(why);
  });

  it.each([
    ["a capability importing one below it", "src/data/planted.ts", "../learners/model.js"],
    ["a capability importing the base", "src/data/planted.ts", "../common/errors.js"],
    ["config importing common", "src/config/planted.ts", "../common/errors.js"],
    ["an entry point importing a use case", "src/cli/planted.ts", "../pipeline/train.js"],
    ["a use case importing a capability", "src/operations/planted.ts", "../deploy/rollout.js"],
    ["the CLI starting the bot through its entry file", "src/cli/planted.ts", "../bot/start.js"],
    ["the library starting the bot through its entry file", "src/library/planted.ts", "../bot/start.js"],
    ["a file of the same folder", "src/data/planted.ts", "./frame.js"],
    ["a use case entering onnx through its barrel", "src/pipeline/planted.ts", "../onnx/index.js"],
    ["a file of onnx importing its own files", "src/onnx/planted.ts", "./session.js"],
  ])("passes %s", async (_what, filePath, specifier) => {
    expect(await lint(`import { x } from "${specifier}";\nexport const y = x;\n`, filePath)).toEqual([]);
  });

  it("fails on a function over 100 lines, and passes one of 100", async () => {
    const body = (lines: number) =>
      `export function planted(): number {\n${Array.from({ length: lines - 3 }, (_, i) => `  const v${i} = ${i};\n`).join("")}  return 0;\n}\n`;
    const long = await lint(body(101), "src/data/planted.ts");
    const fits = await lint(body(100), "src/data/planted.ts");
    expect(long.map((m) => m.ruleId)).toContain("max-lines-per-function");
    expect(fits.map((m) => m.ruleId)).not.toContain("max-lines-per-function");
  });

  it("fails on a file in no part of the layer table", async () => {
    const messages = await lint("export const x = 1;\n", "src/elsewhere/planted.ts");
    expect(messages).toEqual([
      { ruleId: "layers/layers", message: expect.stringContaining("in no part") as string },
    ]);
  });

  it("names every top-level folder of src/ in the table", () => {
    const files = [...buildImportGraph(ROOT).keys()];
    const paths = layerTable.flatMap((layer) => layer.parts.flatMap((part) => part.paths));
    const outside = files.filter((f) => !paths.some((p) => (p.endsWith("/") ? f.startsWith(p) : f === p)));
    expect(outside).toEqual([]);
  });
});

describe("cycle lint", () => {
  it("fails on a planted cycle: a file importing a file that imports it", async () => {
    // An existing import a → b inside one folder; lint b's text with an import back to a.
    const graph = buildImportGraph(ROOT);
    const edge = [...graph.values()].flat().find((e) => posix.dirname(e.from) === posix.dirname(e.to))!;
    expect(edge).toBeDefined();
    const messages = await lint(
      `import "${specifierFrom(edge.to, edge.from)}";\nexport const planted = 1;\n`,
      edge.to,
    );
    expect(messages).toEqual([
      { ruleId: "layers/no-cycle", message: `Import cycle: ${edge.to} → ${edge.from} → ${edge.to}.` },
    ]);
  });

  it("fails on a longer cycle, naming every file on it", async () => {
    // An existing chain a → b → c (a not importing c itself); lint c's text with an import of a.
    const graph = buildImportGraph(ROOT);
    const chain = [...graph.values()]
      .flat()
      .flatMap((ab) => (graph.get(ab.to) ?? []).map((bc) => [ab.from, ab.to, bc.to] as const))
      .find(([a, , c]) => a !== c && !graph.get(a)!.some((e) => e.to === c))!;
    expect(chain).toBeDefined();
    const [a, , c] = chain;
    const messages = await lint(`import "${specifierFrom(c, a)}";\nexport const planted = 1;\n`, c);
    const cycle = messages.filter((m) => m.ruleId === "layers/no-cycle");
    expect(cycle).toHaveLength(1);
    expect(cycle[0]!.message).toMatch(new RegExp(`^Import cycle: ${c} → ${a} → .+ → ${c}\\.$`));
  });

  it("passes the same import when nothing imports back", async () => {
    expect(await lint('import "./errors.js";\nexport const planted = 1;\n', "src/common/planted.ts")).toEqual(
      [],
    );
  });
});
