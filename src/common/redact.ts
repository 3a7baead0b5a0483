/**
 * Redacts secrets from text before it leaves for an LLM endpoint or lands in
 * a comment. Telemetry can carry tokens by accident (a log line with an
 * Authorization header, a URL with credentials); the patterns cover the
 * common shapes and err towards redacting too much.
 */

const PATTERNS: readonly RegExp[] = [
  // GitHub tokens (classic, fine-grained, app, OAuth, refresh).
  // No leading word boundary: a token glued to a word (`teamghp_…`) is still a token.
  /(?:gh[pousr]_[A-Za-z0-9]{20,255}|github_pat_[A-Za-z0-9_]{22,255})/g,
  // OpenAI-style and other sk- keys.
  /sk-[A-Za-z0-9_-]{16,}/g,
  // Slack tokens and webhook paths.
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g,
  /hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g,
  // AWS access key ids.
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
  // JSON Web Tokens.
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g,
  // PEM private keys.
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

/** `Authorization: Bearer …`, `token=…`, `"password": "…"` and friends: keep the name, drop the value. */
const NAMED_SECRET =
  /\b(authorization|token|access[_-]?token|api[_-]?key|apikey|secret|password|passwd|pwd|client[_-]?secret|private[_-]?key)(\s*["']?\s*[:=]\s*["']?\s*)(?:bearer\s+|basic\s+|token\s+)?([^\s"',;&]{6,})/gi;

/** `Bearer …` and `Basic …` credentials wherever they appear. */
const SCHEME_CREDENTIAL = /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;

/** Credentials in URLs: `scheme://user:pass@host`. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi;

/** The replacement marker. */
export const REDACTED = "[REDACTED]";

/** Replaces anything that looks like a secret with {@link REDACTED}. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const pattern of PATTERNS) out = out.replace(pattern, REDACTED);
  out = out.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
  out = out.replace(SCHEME_CREDENTIAL, (_m, scheme: string) => `${scheme} ${REDACTED}`);
  out = out.replace(NAMED_SECRET, (_m, name: string, sep: string) => `${name}${sep}${REDACTED}`);
  return out;
}

/** Redacts every string inside a JSON-like value, keys included. */
export function redactDeep(value: unknown): unknown {
  if (typeof value === "string") return redactSecrets(value);
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redactSecrets(k), redactDeep(v)]));
  }
  return value;
}
