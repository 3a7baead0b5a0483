// @ts-check
/**
 * The import graph of `src/`: every file, the relative modules it imports
 * (static `import`/`export … from`, and `import("…")` with a literal), each
 * edge marked type-only or not. Read with TypeScript's own parser, so what
 * counts as an import is what the compiler sees.
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
 * @property {boolean} typeOnly  `import type` / `export type`: erased at run time
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
 * The imports of one file's text.
 * @param {string} text
 * @param {string} fileAbs absolute path the text stands for
 * @returns {{ specifier: string, typeOnly: boolean, line: number, column: number, resolved: string | undefined }[]}
 */
export function readImports(text, fileAbs) {
  const source = ts.createSourceFile(fileAbs, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  /** @type {{ specifier: string, typeOnly: boolean, line: number, column: number, resolved: string | undefined }[]} */
  const out = [];
  /** @param {ts.Node} node @param {string} specifier @param {boolean} typeOnly */
  const add = (node, specifier, typeOnly) => {
    const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
    out.push({
      specifier,
      typeOnly,
      line: line + 1,
      column: character,
      resolved: resolveRelative(fileAbs, specifier),
    });
  };
  /** @param {ts.Node} node */
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node, node.moduleSpecifier.text, typeOnly);
      return;
    }
    if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node, node.moduleSpecifier.text, node.isTypeOnly);
      return;
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument !== undefined && ts.isStringLiteralLike(argument)) add(node, argument.text, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
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
        typeOnly: imp.typeOnly,
        line: imp.line,
        column: imp.column,
      });
    }
    graph.set(from, edges);
  }
  return graph;
}
