import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { PUBLISHED_SCHEMAS, renderJsonSchema } from "../../src/config/json-schemas.js";

describe("committed JSON Schemas", () => {
  it.each(Object.keys(PUBLISHED_SCHEMAS) as (keyof typeof PUBLISHED_SCHEMAS)[])(
    "schemas/%s matches the zod schema (run `npm run schemas` when this fails)",
    async (name) => {
      const committed = await readFile(new URL(`../../schemas/${name}`, import.meta.url), "utf8");
      expect(committed).toBe(renderJsonSchema(name));
    },
  );

  it("carries field descriptions to editors", () => {
    const pipeline = JSON.parse(renderJsonSchema("pipeline.schema.json")) as {
      properties: { model_training: { properties: { test_size: { description: string } } } };
    };
    expect(pipeline.properties.model_training.properties.test_size.description).toBe(
      "Share of rows held out for evaluation.",
    );
  });

  it("example files point editors at the schemas", async () => {
    for (const [file, schema] of [
      ["pipelines/customer-churn.yaml", "../schemas/pipeline.schema.json"],
      ["environments/staging.yaml", "../schemas/environment.schema.json"],
      ["environments/production.yaml", "../schemas/environment.schema.json"],
      [".github/meta-controller.yml", "../schemas/bot-config.schema.json"],
    ] as const) {
      const text = await readFile(new URL(`../../${file}`, import.meta.url), "utf8");
      expect(text.split("\n")[0]).toBe(`# yaml-language-server: $schema=${schema}`);
    }
  });
});
