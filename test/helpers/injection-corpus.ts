/**
 * The injection corpus (`test/fixtures/injection/attacks.txt`): strings an
 * alert source, a model card or an LLM might send to make a post ping
 * people, show images, link elsewhere, forge a bot marker or issue a
 * command.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const FILE = fileURLToPath(new URL("../fixtures/injection/attacks.txt", import.meta.url));

/** The attack strings, escapes (`\n`, `\uXXXX`) decoded. */
export function loadInjectionCorpus(): string[] {
  return readFileSync(FILE, "utf8")
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) =>
      line
        .replaceAll("\\n", "\n")
        .replace(/\\u([0-9a-fA-F]{4})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    );
}
