/**
 * The oracle of the sanitiser's tests: parses posted Markdown with a real
 * CommonMark parser (mdast-util-from-markdown) and lists everything in it
 * that untrusted text must never produce. GitHub's own extensions (bare URL
 * and e-mail autolinks, `@mentions`) are not CommonMark, so they are
 * searched for, conservatively, in the parsed text nodes — the text as
 * GitHub sees it after escapes and entities are decoded.
 */
import { fromMarkdown } from "mdast-util-from-markdown";

type MdNode = { type: string; value?: string; url?: string; children?: MdNode[] };

/** What {@link findUnsafe} may accept. */
export interface SafetyOptions {
  /** Hosts an `https` link may point to. */
  readonly allowedHosts: readonly string[];
  /** Raw substrings the renderer itself wrote (its own marker), allowed once each. */
  readonly ownMarkers?: readonly string[];
}

const MENTION = /@[A-Za-z0-9]/;
const BARE_URL = /(?:https?:\/\/|www\.)/i;
const EMAIL = /[A-Za-z0-9._+-]@[A-Za-z0-9_-]/;
const COMMAND_LINE = /^\s*\/[A-Za-z]/m;

function walk(node: MdNode, visit: (n: MdNode) => void): void {
  visit(node);
  // An allowed link's text is its own URL; the link itself is judged by its target.
  if (node.type === "link") return;
  for (const child of node.children ?? []) walk(child, visit);
}

function linkProblem(url: string, allowed: readonly string[]): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "https:") return `link with scheme ${parsed.protocol}`;
    if (parsed.username !== "" || parsed.password !== "") return `link with credentials: ${url}`;
    if (!allowed.includes(parsed.hostname.toLowerCase())) return `link to foreign host ${parsed.hostname}`;
    return undefined;
  } catch {
    return `unparsable link ${url}`;
  }
}

/** Every unsafe construct in `markdown`; empty when it is safe. */
export function findUnsafe(markdown: string, options: SafetyOptions): string[] {
  const problems: string[] = [];
  let raw = markdown;
  for (const own of options.ownMarkers ?? []) raw = raw.replace(own, "");
  if (/<!--/.test(raw)) problems.push("an HTML comment (forged marker?) in the raw text");
  if (/meta-controller:/i.test(raw) && /<\s*!\s*-\s*-/.test(raw))
    problems.push("a bot marker in the raw text");
  const tree = fromMarkdown(raw) as MdNode;
  walk(tree, (node) => {
    if (node.type === "html") problems.push(`raw HTML: ${node.value ?? ""}`);
    if (node.type === "image" || node.type === "imageReference") problems.push(`an image: ${node.url ?? ""}`);
    if (node.type === "definition" || node.type === "linkReference")
      problems.push(`a link reference or definition: ${node.url ?? ""}`);
    if (node.type === "link") {
      const problem = linkProblem(node.url ?? "", options.allowedHosts);
      if (problem !== undefined) problems.push(problem);
    }
    if (node.type === "text") {
      const text = node.value ?? "";
      if (MENTION.test(text)) problems.push(`an unescaped mention in ${JSON.stringify(text)}`);
      if (BARE_URL.test(text)) problems.push(`a bare URL GitHub would autolink in ${JSON.stringify(text)}`);
      if (EMAIL.test(text)) problems.push(`an e-mail autolink in ${JSON.stringify(text)}`);
      if (COMMAND_LINE.test(text))
        problems.push(`a slash command at a line start in ${JSON.stringify(text)}`);
    }
  });
  return problems;
}
