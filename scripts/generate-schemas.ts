/**
 * Writes schemas/*.json from the zod schemas: `npm run schemas`.
 */
import { writeFileSync } from "node:fs";
import { PUBLISHED_SCHEMAS, renderJsonSchema } from "../src/config/json-schemas.js";

for (const name of Object.keys(PUBLISHED_SCHEMAS) as (keyof typeof PUBLISHED_SCHEMAS)[]) {
  writeFileSync(new URL(`../schemas/${name}`, import.meta.url), renderJsonSchema(name));
  console.error(`wrote schemas/${name}`);
}
