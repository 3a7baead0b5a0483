// @ts-check
/**
 * The import graph of `src/`: every file, the relative modules it imports
 * (static `import`/`export … from`, type-only ones too, and `import("…")`
 * with a literal). Read with TypeScript's own import scanner, so what counts
 * as an import is what the compiler sees.
 *
 * Used by the `layers/layers` and `layers/no-cycle` rules
 * (`eslint-rules/layers.js`) and by `test/house-rules/`.
 */
import { readdirSync, readFileSync, existsSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";

/**
 * @typedef {object} ImportEdge
 * @property {string} from   repository-relative path of the importing file (posix)
 * @property {string} to     repository-relative path of the imported file (posix)
 * @property {string} specifier  the text inside the quotes
 * @property {number} line   1-based line of the import
 * @property {number} column 0-based column of the import
 */

/** @param {string} path */
function toPosix(path) {
  return path.split(sep).join("/");
}

/**
 * Resolves a relative specifier the way NodeNext does for our sources:
 * `./x.js` names `./x.ts`; a folder is not an import target in ESM.
 * @param {string} fromAbs absolute path of the importing file
 * @param {string} specifier
 * @returns {string | undefined} absolute path of a `.ts` file, when it exists
 */
export function resolveRelative(fromAbs, specifier) {
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) return undefined;
  const target = resolve(dirname(fromAbs), specifier);
  const candidates = target.endsWith(".js")
    ? [target.slice(0, -3) + ".ts", target]
    : [target, `${target}.ts`, join(target, "index.ts")];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/**
 * The imports of one file's text: TypeScript's import scanner
 * (`preProcessFile`), which reads `import`, `export … from` and `import("…")`
 * without building a syntax tree.
 * @param {string} text
 * @param {string} fileAbs absolute path the text stands for
 * @returns {{ specifier: string, line: number, column: number, resolved: string | undefined }[]}
 */
export function readImports(text, fileAbs) {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles.map((ref) => {
    const before = text.slice(0, ref.pos);
    const line = before.split("\n").length;
    return {
      specifier: ref.fileName,
      line,
      column: ref.pos - (before.lastIndexOf("\n") + 1),
      resolved: resolveRelative(fileAbs, ref.fileName),
    };
  });
}

/** @param {string} dir @returns {string[]} */
function listTs(dir) {
  /** @type {string[]} */
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listTs(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) files.push(path);
  }
  return files;
}

/**
 * The whole graph of `<root>/src`, read from disk.
 * @param {string} root repository root
 * @param {{ path: string, text: string }} [override] one file seen with other text (for linting unsaved or planted text)
 * @returns {Map<string, ImportEdge[]>} file → its edges to other files in `src/`
 */
export function buildImportGraph(root, override) {
  const srcDir = join(root, "src");
  /** @type {Map<string, ImportEdge[]>} */
  const graph = new Map();
  const files = listTs(srcDir);
  if (override !== undefined && !files.includes(override.path)) files.push(override.path);
  for (const abs of files) {
    const text = override?.path === abs ? override.text : readFileSync(abs, "utf8");
    const from = toPosix(relative(root, abs));
    /** @type {ImportEdge[]} */
    const edges = [];
    for (const imp of readImports(text, abs)) {
      if (imp.resolved === undefined) continue;
      const to = toPosix(relative(root, imp.resolved));
      if (!to.startsWith("src/")) continue;
      edges.push({
        from,
        to,
        specifier: imp.specifier,
        line: imp.line,
        column: imp.column,
      });
    }
    graph.set(from, edges);
  }
  return graph;
}
