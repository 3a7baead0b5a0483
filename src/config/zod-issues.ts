/**
 * Turns zod's issues into messages a person can act on, each at its line and
 * column: `expected one of a, b; got "x"`, `unknown key "modle_type"; did
 * you mean "model_type"?`, `required field is missing`.
 */
import { z } from "zod";
import type { Document, LineCounter } from "yaml";
import type { ConfigIssue } from "../common/errors.js";
import { suggestClosest } from "./did-you-mean.js";
import { findKeyPosition, findPosition } from "./yaml-positions.js";

type PathKey = string | number;

interface SchemaDef {
  type: string;
  discriminator?: string;
  values?: unknown[];
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

/**
 * Who owns the keys of an object schema, for unknown-key messages that name
 * it: `random_forest has no parameter "n_estimator"` rather than `unknown key`.
 * A registry of its own, so nothing of it reaches the published JSON Schemas.
 */
export const keyOwners = z.registry<{ owner: string; noun: string }>();

/** The options of a discriminated union that match the data's discriminator (all of them when none does). */
function matchingOptions(def: SchemaDef, data: unknown): z.ZodType[] {
  const options = def.options ?? [];
  const discriminator = def.discriminator;
  if (discriminator === undefined || data === null || typeof data !== "object") return options;
  const value = (data as Record<string, unknown>)[discriminator];
  const matching = options.filter((option) => {
    const literal = defOf(option).shape?.[discriminator];
    return literal !== undefined && (defOf(literal).values ?? []).includes(value);
  });
  return matching.length > 0 ? matching : options;
}

/**
 * The object schemas reachable at `path`, looking through wrappers and
 * unions; a discriminated union follows the option `data` selects.
 */
function objectSchemasAt(schema: z.ZodType, path: readonly PathKey[], data: unknown): z.ZodType[] {
  const def = defOf(schema);
  if (def.innerType) return objectSchemasAt(def.innerType, path, data);
  if (def.type === "pipe" && def.in) return objectSchemasAt(def.in, path, data);
  if (def.type === "union" && def.options)
    return matchingOptions(def, data).flatMap((o) => objectSchemasAt(o, path, data));
  if (path.length === 0) return def.type === "object" ? [schema] : [];
  const [head, ...rest] = path;
  const child = valueAt(data, [head!]);
  if (def.type === "object" && def.shape && typeof head === "string") {
    const field = def.shape[head];
    return field ? objectSchemasAt(field, rest, child) : [];
  }
  if (def.type === "array" && def.element) return objectSchemasAt(def.element, rest, child);
  if (def.type === "record" && def.valueType) return objectSchemasAt(def.valueType, rest, child);
  return [];
}

/** The keys an object at `path` accepts (in the option `data` selects, for a discriminated union). */
export function knownKeysAt(schema: z.ZodType, path: readonly PathKey[], data?: unknown): string[] {
  const keys = new Set<string>();
  for (const object of objectSchemasAt(schema, path, data))
    for (const key of Object.keys(defOf(object).shape ?? {})) keys.add(key);
  return [...keys];
}

/** The message for an unknown key, naming the object's owner when it has one. */
function unknownKeyMessage(schema: z.ZodType, path: readonly PathKey[], data: unknown, key: string): string {
  const objects = objectSchemasAt(schema, path, data);
  const known = knownKeysAt(schema, path, data);
  const owner = objects.length === 1 ? keyOwners.get(objects[0]!) : undefined;
  const hint = suggestClosest(key, known);
  const what = owner
    ? `${owner.owner} has no ${owner.noun} ${JSON.stringify(key)}`
    : `unknown key ${JSON.stringify(key)}`;
  return hint
    ? `${what}; did you mean ${JSON.stringify(hint)}?`
    : `${what}; expected one of ${known.join(", ")}`;
}

/** Short description of a value for "got …". */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string")
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return `${typeof value} ${JSON.stringify(value) ?? ""}`.trim();
}

function typeName(expected: string): string {
  switch (expected) {
    case "object":
      return "a mapping";
    case "array":
      return "a list";
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "int":
      return "an integer";
    case "boolean":
      return "true or false";
    default:
      return expected;
  }
}

function valueAt(data: unknown, path: readonly PathKey[]): unknown {
  let current = data;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PathKey, unknown>)[key];
  }
  return current;
}

function bound(issue: { inclusive?: boolean }, strictSymbol: string, looseSymbol: string): string {
  return issue.inclusive === false ? strictSymbol : looseSymbol;
}

function expectedOneOf(allowed: readonly unknown[], input: unknown): string {
  const values = allowed.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
  const hint = typeof input === "string" ? suggestClosest(input, values) : undefined;
  return `expected one of ${values.join(", ")}; got ${describeValue(input)}${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ""}`;
}

/**
 * A union whose every branch failed on the value's type or on a fixed list
 * (`"sqrt"`, `"log2"`, a number or null) reads as one list of what it accepts.
 */
function describeUnion(
  branches: readonly (readonly z.core.$ZodIssue[])[],
  input: unknown,
): string | undefined {
  const accepted: string[] = [];
  const values: string[] = [];
  for (const branch of branches) {
    const only = branch[0];
    if (branch.length !== 1 || !only || only.path.length !== 0) return undefined;
    if (only.code === "invalid_type") accepted.push(typeName(only.expected));
    else if (only.code === "invalid_value")
      values.push(...only.values.map((v) => (typeof v === "string" ? JSON.stringify(v) : String(v))));
    else return undefined;
  }
  const hint =
    typeof input === "string"
      ? suggestClosest(
          input,
          values.map((v) => v.replace(/^"|"$/g, "")),
        )
      : undefined;
  return `expected ${[...values, ...accepted].join(", ")}; got ${describeValue(input)}${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ""}`;
}

function messageFor(issue: z.core.$ZodIssue, input: unknown): string {
  switch (issue.code) {
    case "invalid_type":
      if (input === undefined) return "required field is missing";
      return `expected ${typeName(issue.expected)}; got ${describeValue(input)}`;
    case "invalid_value":
      return expectedOneOf(issue.values, input);
    case "too_small": {
      if (issue.origin === "array" || issue.origin === "set")
        return `expected at least ${String(issue.minimum)} item(s); got ${Array.isArray(input) ? input.length : 0}`;
      if (issue.origin === "string") return `expected at least ${String(issue.minimum)} character(s)`;
      return `expected a number ${bound(issue, ">", ">=")} ${String(issue.minimum)}; got ${describeValue(input)}`;
    }
    case "too_big": {
      if (issue.origin === "array" || issue.origin === "set")
        return `expected at most ${String(issue.maximum)} item(s)`;
      if (issue.origin === "string") return `expected at most ${String(issue.maximum)} character(s)`;
      return `expected a number ${bound(issue, "<", "<=")} ${String(issue.maximum)}; got ${describeValue(input)}`;
    }
    case "invalid_format":
      return `${issue.message}; got ${describeValue(input)}`;
    case "not_multiple_of":
      return `expected a multiple of ${String(issue.divisor)}; got ${describeValue(input)}`;
    case "invalid_union": {
      // A discriminated union whose discriminator matches no option lists the values it knows.
      const discriminated = issue as { note?: string; options?: unknown[] };
      if (discriminated.note === "No matching discriminator" && discriminated.options) {
        if (input === undefined) return "required field is missing";
        return expectedOneOf(discriminated.options, input);
      }
      const branches = issue.errors;
      const allTypes = branches.every(
        (b) => b.length === 1 && b[0]?.code === "invalid_type" && b[0].path.length === 0,
      );
      if (allTypes) {
        const expected = branches.map((b) => typeName((b[0] as { expected: string }).expected));
        return `expected ${expected.join(" or ")}; got ${describeValue(input)}`;
      }
      return describeUnion(branches, input) ?? issue.message;
    }
    default:
      return issue.message;
  }
}

/**
 * Converts zod issues for a YAML document into positioned {@link ConfigIssue}s,
 * one per problem (one per unknown key), in file order.
 */
export function toConfigIssues(
  issues: readonly z.core.$ZodIssue[],
  context: { file: string; document: Document; lineCounter: LineCounter; data: unknown; schema: z.ZodType },
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const { file, document, lineCounter, data, schema } = context;
  for (const issue of issues) {
    const path = issue.path as PathKey[];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const { line, column } = findKeyPosition(document, lineCounter, path, key);
        const message = unknownKeyMessage(schema, path, data, key);
        out.push({ file, line, column, field: [...path, key].join("."), message, severity: "error" });
      }
      continue;
    }
    const input = valueAt(data, path);
    // Custom checks about a key itself (an unknown parameter name) ask to be shown at the key.
    const atKey = issue.code === "custom" && (issue.params as { at?: string } | undefined)?.at === "key";
    const { line, column } = findPosition(document, lineCounter, path, { atKey });
    out.push({
      file,
      line,
      column,
      field: path.join("."),
      message: messageFor(issue, input),
      severity: "error",
    });
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}
