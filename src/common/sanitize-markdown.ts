/**
 * The one sanitiser for untrusted text the project posts on GitHub: LLM
 * output, alert labels and annotations, model-card fields, quoted comments.
 * Every poster (the bot, the run flow, the Action) calls
 * {@link sanitizeForGitHub} on each such string before it reaches a PR,
 * issue or comment; the only Markdown structure in a post is the one its
 * renderer writes around the sanitised pieces.
 *
 * The result is one line of Markdown that renders as the literal text:
 * - no raw HTML (`<`, `>` and `&` become entities), so no comment, no bot
 *   marker (`<!-- meta-controller:…`) and no hidden content;
 * - Markdown punctuation is backslash-escaped, so no image, link, emphasis,
 *   table cell break or heading can be formed;
 * - URLs (`http://`, `https://`, `www.`, anywhere in a word, since GitHub
 *   autolinks them even after escapes) survive only as `https` autolinks to
 *   allow-listed hosts; any other is replaced by its defanged host name;
 * - `@user` and `@org/team` are put in code spans, where GitHub notifies no
 *   one; any other `@` is followed by a zero-width space, so no e-mail
 *   autolink forms;
 * - slash commands are broken (`/deploy` becomes `∕deploy`), so no line the
 *   bot posts can read as a command;
 * - secrets are redacted, and the output is at most `maxLength` characters.
 */
import { redactSecrets } from "./redact.js";

/** Options of {@link sanitizeForGitHub}. */
export interface SanitizeOptions {
  /** Hosts links may point to, e.g. `github.com`, `ghcr.io`. Subdomains are not implied. */
  readonly allowedHosts: readonly string[];
  /** Longest output in characters (default 2000). */
  readonly maxLength?: number;
  /**
   * `text` (default): escaped Markdown. `code`: a code span when the text
   * is made of identifier-like characters only (names, references, JSON of
   * numbers), else as `text`. `plain`: the text as is when it is made of
   * words, digits and `.:+-` only (dates, metric names), else as `text`.
   * Nothing renders inside such a code span, and such plain text holds no
   * Markdown that can link, ping, embed or hide, so both are as safe as `text`.
   */
  readonly style?: "text" | "code" | "plain";
}

const CODE_SAFE = /^[A-Za-z0-9_.:@/{}",=+ -]+$/;
const PLAIN_SAFE = /^[A-Za-z0-9_ .:+-]*$/;

/** Hosts posts may link to when the operator names none (`LINK_ALLOWED_HOSTS`). */
export const DEFAULT_LINK_HOSTS: readonly string[] = ["github.com"];

/**
 * The operator's link allow-list from `LINK_ALLOWED_HOSTS` (comma- or
 * space-separated host names); {@link DEFAULT_LINK_HOSTS} when unset. An
 * empty value (`LINK_ALLOWED_HOSTS=""`) allows no link at all.
 */
export function readLinkAllowList(env: NodeJS.ProcessEnv): readonly string[] {
  const raw = env.LINK_ALLOWED_HOSTS;
  if (raw === undefined) return DEFAULT_LINK_HOSTS;
  return raw
    .split(/[\s,]+/)
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== "");
}

// No `\b`: GitHub autolinks `www.` and `http://` wherever they start a word, and a word may begin mid-token after escapes.
const URL_PATTERN = /(?:https?:\/\/|www\.)[^\s<>"'`()[\]{}]*/gi;
const MENTION_PATTERN =
  /(^|[^A-Za-z0-9_`])@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\/[A-Za-z0-9_.-]{1,100})?)(?![/A-Za-z0-9_-])/g;
const COMMAND_PATTERN = /(^|[^A-Za-z0-9_])\/([A-Za-z][A-Za-z-]*)/g;
const MARKDOWN_PUNCTUATION = /[\\`*_{}[\]()#+\-.!|~^=:"']/g;
// Control characters and invisible formatting that could hide text from a reviewer.
const INVISIBLE =
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;
const ZERO_WIDTH_SPACE = "\u200b";

function escapeInline(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replace(MARKDOWN_PUNCTUATION, (c) => `\\${c}`)
    .replaceAll("@", `@${ZERO_WIDTH_SPACE}`);
}

function hostOf(url: string): string | undefined {
  try {
    const parsed = new URL(url.toLowerCase().startsWith("www.") ? `https://${url}` : url);
    // `https://github.com@evil.example/` shows one host and links to another;
    // an empty user (`https://@github.com`) leaves no username but is no cleaner.
    if (parsed.username !== "" || parsed.password !== "") return undefined;
    if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url)) return undefined;
    // A backslash is a slash to the URL parser (`https://\github.com` parses to github.com) but
    // not to the Markdown renderer, which links the text as written: no link with one.
    if (url.includes("\\")) return undefined;
    return parsed.protocol === "https:" || parsed.protocol === "http:"
      ? parsed.hostname.toLowerCase()
      : undefined;
  } catch {
    return undefined;
  }
}

/** Sanitises one piece of untrusted text into a single safe Markdown line of at most `maxLength` characters. */
export function sanitizeForGitHub(text: string, options: SanitizeOptions): string {
  const maxLength = Math.max(options.maxLength ?? 2000, 1);
  const allowed = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  const input = redactSecrets(text.normalize("NFKC")).replace(INVISIBLE, "").replace(/\s+/g, " ").trim();
  const fast = fastPath(input, options.style ?? "text", maxLength);
  if (fast !== undefined) return fast;
  let cut = Math.min(input.length, maxLength);
  let out = renderLine(cut < input.length ? `${input.slice(0, cut)}…` : input, allowed);
  // Escapes lengthen the text: shorten the input, never the output, so no escape or code span is cut in half.
  while (out.length > maxLength && cut > 0) {
    cut = Math.max(0, Math.min(cut - 1, Math.floor((cut * maxLength) / out.length) - 1));
    out = renderLine(`${input.slice(0, cut)}…`, allowed);
  }
  return out.length <= maxLength ? out : "";
}

/** The `code` and `plain` renderings, when the text qualifies for them whole. */
function fastPath(input: string, style: "text" | "code" | "plain", maxLength: number): string | undefined {
  if (style === "text" || /www\./i.test(input)) return undefined;
  if (style === "code" && CODE_SAFE.test(input) && input.length + 2 <= maxLength) return `\`${input}\``;
  if (style === "plain" && PLAIN_SAFE.test(input) && input.length <= maxLength) return input;
  return undefined;
}

function renderLine(input: string, allowed: ReadonlySet<string>): string {
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
  if (host !== undefined && allowed.has(host) && /^https:\/\/[^/?#]+/i.test(trimmed)) {
    // An autolink renders the URL as text; it cannot carry an image or other markup.
    const safe = trimmed.replace(/[^A-Za-z0-9\-._~:/?#[\]!$&'()*+,;=%]/g, (c) => encodeURIComponent(c));
    return `<${safe.replaceAll("@", "%40")}>${escapeInline(tail)}`;
  }
  const shown = (host ?? "unknown").replaceAll(".", "[.]");
  return `(link to ${escapeInline(shown)} removed)${escapeInline(tail)}`;
}
