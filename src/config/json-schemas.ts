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

/** Renders one JSON Schema document (input shape: defaults make fields optional), as committed. */
export function renderJsonSchema(name: keyof typeof PUBLISHED_SCHEMAS): string {
  const { schema, title } = PUBLISHED_SCHEMAS[name];
  const document = z.toJSONSchema(schema, { io: "input", unrepresentable: "any", target: "draft-2020-12" });
  return `${JSON.stringify({ ...document, $id: `https://meta-controller.dev/schemas/${name}`, title }, null, 2)}\n`;
}
