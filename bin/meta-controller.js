#!/usr/bin/env node
// The package's binary: runs the compiled CLI (built by `npm run build`, which `npm ci` runs through `prepare`).
import { existsSync } from "node:fs";

const entry = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    "meta-controller is not built: run `npm run build` (npm ci does this through `prepare`).\n",
  );
  process.exit(1);
}
await import(entry.href);
