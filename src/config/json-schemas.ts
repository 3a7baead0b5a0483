/**
 * JSON Schemas for editors, generated from the zod schemas (the one source
 * of truth) and committed under `schemas/`. A test fails when they are stale.
 */
import { z } from "zod";
import { BotConfig } from "./bot-config.js";
import { EnvironmentSpec } from "./environment.js";
import { PipelineSpec } from "./pipeline.js";

/** File name → schema, for every file format users write. */
export const PUBLISHED_SCHEMAS = {
  "pipeline.schema.json": { schema: PipelineSpec, title: "Meta-Controller pipeline" },
  "environment.schema.json": { schema: EnvironmentSpec, title: "Meta-Controller environment" },
  "bot-config.schema.json": { schema: BotConfig, title: "Meta-Controller bot settings" },
} as const;

type JsonNode = Record<string, unknown>;

function isObjectNode(node: unknown): node is JsonNode & { properties: Record<string, unknown> } {
  return (
    typeof node === "object" &&
    node !== null &&
    (node as JsonNode).type === "object" &&
    typeof (node as JsonNode).properties === "object"
  );
}

/**
 * A discriminated union (`model_training`, one option per learner) renders
 * as `oneOf`; the fields every option shares, identical in each, are also
 * listed on the union itself, so editors show their descriptions and
 * complete them before a `model_type` is chosen. The options still decide
 * what is valid.
 */
function hoistSharedProperties(node: JsonNode): void {
  const options = node.oneOf;
  if (!Array.isArray(options) || options.length < 2 || !options.every(isObjectNode)) return;
  const [first, ...rest] = options;
  if (!first) return;
  const shared: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(first.properties)) {
    const text = JSON.stringify(value);
    if (rest.every((option) => JSON.stringify(option.properties[key]) === text)) shared[key] = value;
  }
  if (Object.keys(shared).length > 0) {
    node.type = "object";
    node.properties = shared;
  }
}

/** Renders one JSON Schema document (input shape: defaults make fields optional), as committed. */
export function renderJsonSchema(name: keyof typeof PUBLISHED_SCHEMAS): string {
  const { schema, title } = PUBLISHED_SCHEMAS[name];
  const document = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
    target: "draft-2020-12",
    override: (context) => hoistSharedProperties(context.jsonSchema),
  });
  return `${JSON.stringify({ ...document, $id: `https://meta-controller.dev/schemas/${name}`, title }, null, 2)}\n`;
}
