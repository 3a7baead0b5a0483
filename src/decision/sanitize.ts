/**
 * Makes untrusted text (LLM output, alert text) safe to post on GitHub.
 *
 * The result is one line of Markdown that renders as the literal text:
 * - no raw HTML (`<`, `>` and `&` become entities) and no images;
 * - Markdown punctuation is backslash-escaped, so no link, emphasis, table
 *   or heading can be formed;
 * - `@mentions` (users and `@org/team`) are put in code spans, where GitHub
 *   does not notify anyone;
 * - URLs survive only for allow-listed hosts (the repository, the registry);
 *   any other is replaced by a defanged host name;
 * - slash commands are broken (`/deploy` becomes `∕deploy`) so no comment the
 *   bot posts can ever read as a command;
 * - secrets are redacted and the length is capped.
 */
import { redactSecrets } from "./redact.js";

/** Options of {@link sanitizeForGitHub}. */
export interface SanitizeOptions {
  /** Hosts links may point to, e.g. `github.com`, `ghcr.io`. Subdomains are not implied. */
  readonly allowedHosts: readonly string[];
  /** Longest output in characters (default 2000). */
  readonly maxLength?: number;
}

const URL_PATTERN = /\b(?:https?:\/\/|www\.)[^\s<>"'`()[\]{}]+/gi;
const MENTION_PATTERN = /(^|[^A-Za-z0-9_`])@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\/[A-Za-z0-9_.-]{1,100})?)/g;
const COMMAND_PATTERN = /(^|[^A-Za-z0-9_])\/([A-Za-z][A-Za-z-]*)/g;
const MARKDOWN_PUNCTUATION = /[\\`*_{}[\]()#+\-.!|~^=:"']/g;
// Control characters and invisible formatting that could hide text from a reviewer.
const INVISIBLE =
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;

function escapeInline(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replace(MARKDOWN_PUNCTUATION, (c) => `\\${c}`);
}

function hostOf(url: string): string | undefined {
  try {
    const parsed = new URL(url.toLowerCase().startsWith("www.") ? `https://${url}` : url);
    return parsed.protocol === "https:" || parsed.protocol === "http:"
      ? parsed.hostname.toLowerCase()
      : undefined;
  } catch {
    return undefined;
  }
}

/** Sanitises one piece of untrusted text into a single safe Markdown line. */
export function sanitizeForGitHub(text: string, options: SanitizeOptions): string {
  const maxLength = options.maxLength ?? 2000;
  const allowed = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  let input = redactSecrets(text.normalize("NFKC")).replace(INVISIBLE, "").replace(/\s+/g, " ").trim();
  if (input.length > maxLength) input = `${input.slice(0, maxLength)}…`;

  // Split into URL and non-URL segments so each is escaped by its own rule.
  const parts: string[] = [];
  let last = 0;
  for (const match of input.matchAll(URL_PATTERN)) {
    const index = match.index;
    parts.push(escapeText(input.slice(last, index)));
    parts.push(renderUrl(match[0], allowed));
    last = index + match[0].length;
  }
  parts.push(escapeText(input.slice(last)));
  return parts.join("");
}

function escapeText(text: string): string {
  // Mentions and commands are found on the raw text, then each piece is escaped.
  const tokens: string[] = [];
  let last = 0;
  const marks: { index: number; length: number; render: string }[] = [];
  for (const m of text.matchAll(MENTION_PATTERN)) {
    const start = m.index + m[1]!.length;
    marks.push({ index: start, length: m[0].length - m[1]!.length, render: `\`@${m[2]!}\`` });
  }
  for (const m of text.matchAll(COMMAND_PATTERN)) {
    const start = m.index + m[1]!.length;
    if (marks.some((k) => start >= k.index && start < k.index + k.length)) continue;
    marks.push({ index: start, length: 1, render: "∕" });
  }
  marks.sort((a, b) => a.index - b.index);
  for (const mark of marks) {
    if (mark.index < last) continue;
    tokens.push(escapeInline(text.slice(last, mark.index)), mark.render);
    last = mark.index + mark.length;
  }
  tokens.push(escapeInline(text.slice(last)));
  return tokens.join("");
}

function renderUrl(url: string, allowed: ReadonlySet<string>): string {
  // Trailing punctuation is usually the sentence's, not the URL's.
  const trimmed = url.replace(/[.,;:!?]+$/, "");
  const tail = url.slice(trimmed.length);
  const host = hostOf(trimmed);
  if (host !== undefined && allowed.has(host) && /^https:\/\//i.test(trimmed)) {
    // An autolink renders the URL as text; it cannot carry an image or other markup.
    const safe = trimmed.replace(/[<>\s"'`]/g, (c) => encodeURIComponent(c));
    return `<${safe}>${escapeInline(tail)}`;
  }
  const shown = (host ?? "unknown").replaceAll(".", "[.]");
  return `(link to ${escapeInline(shown)} removed)${escapeInline(tail)}`;
}
