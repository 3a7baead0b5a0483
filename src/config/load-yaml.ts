/**
 * Loads a YAML file a user wrote and checks it against a zod schema,
 * reporting every problem at once as `path:line:col: field: message`.
 *
 * Guards come before parsing so hostile or accidental input cannot crash or
 * hang the process: size (1 MB), binary content, tabs, duplicate keys and
 * alias bombs ("billion laughs") each get a plain error.
 */
import { readFile, stat } from "node:fs/promises";
import { LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { ConfigError, type ConfigIssue } from "../common/errors.js";
import { findPosition, type Position } from "./yaml-positions.js";
import { toConfigIssues } from "./zod-issues.js";

/** Largest file we parse. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Most alias expansions allowed when resolving a document. */
const MAX_ALIAS_COUNT = 100;

/** A parsed, valid file, with what is needed to locate fields in it later. */
export interface ParsedConfig<T> {
  readonly file: string;
  readonly value: T;
  /** Locates a field path in the source (for checks made after parsing). */
  readonly positionOf: (path: readonly (string | number)[]) => Position;
}

/** The result of {@link parseConfigText}: the value, or every problem found. */
export type ParseResult<T> = { ok: true; config: ParsedConfig<T> } | { ok: false; issues: ConfigIssue[] };

function issueAt(file: string, position: Position, message: string): ConfigIssue {
  return { file, line: position.line, column: position.column, field: "", message, severity: "error" };
}

const YAML_ERROR_TEXT: Record<string, string> = {
  DUPLICATE_KEY: "duplicate key: each key may appear once in a mapping",
  TAB_AS_INDENT: "tab character used for indentation; YAML indents with spaces",
};

function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

/** Finds a NUL byte or invalid UTF-8, which no YAML file a person wrote contains. */
function looksBinary(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return true;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return false;
  } catch {
    return true;
  }
}

/**
 * Parses and validates YAML text. Pure: the caller reads the file. `bytes`
 * may be a string (already decoded) or the raw file content.
 */
export function parseConfigText<S extends z.ZodType>(
  file: string,
  bytes: string | Uint8Array,
  schema: S,
): ParseResult<z.output<S>> {
  const start = { line: 1, column: 1 };
  const size = typeof bytes === "string" ? Buffer.byteLength(bytes) : bytes.length;
  if (size > MAX_CONFIG_BYTES) {
    return {
      ok: false,
      issues: [issueAt(file, start, `file is ${size} bytes; the limit is 1 MB (${MAX_CONFIG_BYTES})`)],
    };
  }
  if (typeof bytes !== "string" && looksBinary(bytes)) {
    return {
      ok: false,
      issues: [issueAt(file, start, "file is binary (NUL bytes or invalid UTF-8), not YAML")],
    };
  }
  const text = typeof bytes === "string" ? bytes : new TextDecoder().decode(bytes);
  if (text.includes("\0")) {
    return { ok: false, issues: [issueAt(file, start, "file is binary (NUL bytes), not YAML")] };
  }

  const lineCounter = new LineCounter();
  const document: Document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (document.errors.length > 0) {
    const issues = document.errors.map((error) =>
      issueAt(
        file,
        at(error.pos[0]),
        YAML_ERROR_TEXT[error.code] ?? `invalid YAML: ${firstLine(error.message)}`,
      ),
    );
    return { ok: false, issues };
  }

  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const text =
      /alias/i.test(message) || error instanceof ReferenceError
        ? `too many alias expansions (more than ${MAX_ALIAS_COUNT}); refusing a possible "billion laughs" document`
        : `cannot read YAML: ${firstLine(message)}`;
    return { ok: false, issues: [issueAt(file, start, text)] };
  }
  if (data === null || data === undefined) {
    return { ok: false, issues: [issueAt(file, start, "file is empty; expected a mapping of settings")] };
  }
  if (typeof data !== "object" || Array.isArray(data)) {
    return {
      ok: false,
      issues: [
        issueAt(
          file,
          start,
          `expected a mapping of settings at the top level; got ${Array.isArray(data) ? "a list" : typeof data}`,
        ),
      ],
    };
  }

  const result = schema.safeParse(data, { reportInput: true });
  if (!result.success) {
    return {
      ok: false,
      issues: toConfigIssues(result.error.issues, { file, document, lineCounter, data, schema }),
    };
  }
  return {
    ok: true,
    config: {
      file,
      value: result.data,
      positionOf: (path) => findPosition(document, lineCounter, path),
    },
  };
}

/**
 * Reads and validates a file; throws {@link ConfigError} carrying every
 * problem. The size is checked before reading so a huge file is never
 * loaded into memory.
 */
export async function loadConfigFile<S extends z.ZodType>(
  file: string,
  schema: S,
): Promise<ParsedConfig<z.output<S>>> {
  const result = await readAndParseConfig(file, schema);
  if (!result.ok) throw new ConfigError(result.issues);
  return result.config;
}

/** Like {@link loadConfigFile}, but returns the problems instead of throwing. */
export async function readAndParseConfig<S extends z.ZodType>(
  file: string,
  schema: S,
): Promise<ParseResult<z.output<S>>> {
  const start = { line: 1, column: 1 };
  let size: number;
  try {
    const info = await stat(file);
    if (info.isDirectory())
      return { ok: false, issues: [issueAt(file, start, "is a directory, not a file")] };
    size = info.size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      issues: [
        issueAt(
          file,
          start,
          code === "ENOENT" ? "file does not exist" : `cannot read file (${code ?? String(error)})`,
        ),
      ],
    };
  }
  if (size > MAX_CONFIG_BYTES) {
    return {
      ok: false,
      issues: [issueAt(file, start, `file is ${size} bytes; the limit is 1 MB (${MAX_CONFIG_BYTES})`)],
    };
  }
  return parseConfigText(file, await readFile(file), schema);
}
