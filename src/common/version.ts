/** This tool's version, read from package.json so there is one source. */
import { readFileSync } from "node:fs";

function readVersion(): string {
  try {
    const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
    return (JSON.parse(text) as { version?: string }).version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/** The package version, e.g. `0.1.0`. */
export const TOOL_VERSION: string = readVersion();
