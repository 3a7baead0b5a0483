/**
 * A small file glob (`*`, `?`, `**`, `{a,b}`) for the few places users pass
 * patterns (`--merge-trials 'trials/*.jsonl'`, the Action's `pipelines`).
 * Node 20 has no `fs.glob`; this covers what those inputs need.
 */
import { readdir } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";

/** Converts a glob to an anchored regular expression over `/`-separated paths. */
export function globToRegExp(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        const slash = pattern[i + 2] === "/";
        out += slash ? "(?:.*/)?" : ".*";
        i += slash ? 2 : 1;
      } else out += "[^/]*";
    } else if (c === "?") out += "[^/]";
    else if (c === "{") {
      const end = pattern.indexOf("}", i);
      if (end < 0) {
        out += "\\{";
        continue;
      }
      out += `(?:${pattern
        .slice(i + 1, end)
        .split(",")
        .map((part) => part.replace(/[.+^${}()|[\]\\*?]/g, "\\$&"))
        .join("|")})`;
      i = end;
    } else out += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}

function hasMagic(part: string): boolean {
  return /[*?{]/.test(part);
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (entry.name === "node_modules" || entry.name === ".git") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/**
 * Files matching `pattern`, relative to `cwd` unless the pattern is
 * absolute, sorted. A pattern without wildcards returns itself when it exists
 * as a file, else nothing.
 */
export async function expandGlob(pattern: string, cwd: string): Promise<string[]> {
  const normalized = pattern.split(sep).join("/");
  const parts = normalized.split("/");
  const firstMagic = parts.findIndex(hasMagic);
  const baseParts = firstMagic < 0 ? parts.slice(0, -1) : parts.slice(0, firstMagic);
  const base = resolve(cwd, baseParts.join("/") || ".");
  const regex = globToRegExp(
    isAbsolute(normalized) ? normalized : resolve(cwd, normalized).split(sep).join("/"),
  );
  const files = (await walk(base)).filter((file) => regex.test(file.split(sep).join("/")));
  const shown = files.map((file) => (isAbsolute(pattern) ? file : relative(cwd, file)));
  return shown.sort();
}
