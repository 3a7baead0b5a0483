/**
 * Alert credentials and what each may steer. A bearer token or HMAC secret
 * is bound to the repositories (and optionally environments) it was given
 * for, so one leaked sender credential cannot act on every repository the
 * app is installed on. Signed requests carry their time, and a signature
 * older than five minutes is refused.
 *
 * `ALERT_CREDENTIALS` holds a JSON array (or the path of a file holding
 * one) of `{ "token" | "hmac_secret", "repositories", "environments"? }`.
 * `ALERT_TOKEN` and `ALERT_HMAC_SECRET` are one credential each, bound to
 * `DEFAULT_REPOSITORY` alone.
 */
import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { z } from "zod";
import { UsageError } from "../common/errors.js";
import { hasBearerToken, safeEqual } from "../common/http/constant-time.js";
import { SIGNATURE_HEADER, signTimestampedBody, TIMESTAMP_HEADER } from "../common/http/hmac.js";
import type { AlertNotice } from "./alert-payloads.js";

/** One credential and its scope. */
export interface AlertCredential {
  /** Where it was configured, for logs (never the secret). */
  readonly label: string;
  readonly token?: string;
  readonly hmacSecret?: string;
  /** `owner/name`, matched exactly. */
  readonly repositories: readonly string[];
  /** Environment names, matched exactly; every environment when absent. */
  readonly environments?: readonly string[];
}

/** How far a signed request's timestamp may be from the bot's clock, seconds. */
export const MAX_SIGNATURE_AGE_SECONDS = 300;

const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

const EntrySchema = z
  .object({
    token: z.string().min(16).optional(),
    hmac_secret: z.string().min(16).optional(),
    repositories: z.array(z.string().regex(REPOSITORY, "must be owner/name")).min(1),
    environments: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict()
  .refine((e) => (e.token === undefined) !== (e.hmac_secret === undefined), {
    message: "give exactly one of token and hmac_secret",
  });

function parseCredentialList(text: string, source: string): AlertCredential[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = z.array(EntrySchema).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${source}: entry ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return parsed.data.map((e, i) => ({
    label: `ALERT_CREDENTIALS[${i}]`,
    ...(e.token === undefined ? {} : { token: e.token }),
    ...(e.hmac_secret === undefined ? {} : { hmacSecret: e.hmac_secret }),
    repositories: e.repositories,
    ...(e.environments === undefined ? {} : { environments: e.environments }),
  }));
}

/** Reads `ALERT_CREDENTIALS` (inline JSON, or a file path); a bad value is a {@link UsageError} naming it. */
export function readAlertCredentials(env: NodeJS.ProcessEnv): AlertCredential[] {
  const raw = env.ALERT_CREDENTIALS?.trim();
  if (!raw) return [];
  if (raw.startsWith("[")) return parseCredentialList(raw, "ALERT_CREDENTIALS");
  let text: string;
  try {
    text = readFileSync(raw, "utf8");
  } catch (error) {
    throw new UsageError(`ALERT_CREDENTIALS=${raw} cannot be read`, { cause: error });
  }
  return parseCredentialList(text, `ALERT_CREDENTIALS file ${raw}`);
}

/** `ALERT_TOKEN` and `ALERT_HMAC_SECRET` as credentials of the default repository only. */
export function singleCredentials(input: {
  readonly token?: string | undefined;
  readonly hmacSecret?: string | undefined;
  readonly defaultRepository?: string | undefined;
}): AlertCredential[] {
  const repositories = input.defaultRepository === undefined ? [] : [input.defaultRepository];
  const out: AlertCredential[] = [];
  if (input.token) out.push({ label: "ALERT_TOKEN", token: input.token, repositories });
  if (input.hmacSecret) out.push({ label: "ALERT_HMAC_SECRET", hmacSecret: input.hmacSecret, repositories });
  return out;
}

function hasFreshSignature(
  headers: IncomingMessage["headers"],
  body: Buffer,
  secret: string,
  nowMs: number,
): boolean {
  const signature = headers[SIGNATURE_HEADER];
  const stamp = headers[TIMESTAMP_HEADER];
  if (typeof signature !== "string" || typeof stamp !== "string" || !/^\d{1,12}$/.test(stamp)) return false;
  const timestamp = Number(stamp);
  if (Math.abs(nowMs / 1000 - timestamp) > MAX_SIGNATURE_AGE_SECONDS) return false;
  return safeEqual(signature.trim().toLowerCase(), signTimestampedBody(secret, timestamp, body));
}

/** The credential a request proves it holds, or undefined. */
export function matchCredential(
  headers: IncomingMessage["headers"],
  body: Buffer,
  credentials: readonly AlertCredential[],
  nowMs: number,
): AlertCredential | undefined {
  for (const credential of credentials) {
    if (credential.token && hasBearerToken(headers.authorization, credential.token)) return credential;
    if (credential.hmacSecret && hasFreshSignature(headers, body, credential.hmacSecret, nowMs))
      return credential;
  }
  return undefined;
}

/** A value from the alert, quoted and cut short: it goes into the log and the answer. */
function shown(value: string): string {
  return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
}

/**
 * Why `credential` may not act on a notice (the first one out of its
 * scope), or undefined when it may act on all of them. A notice without a
 * repository goes to `defaultRepository`; with environments listed, a
 * notice must name its environment.
 */
export function scopeRefusal(
  credential: AlertCredential,
  notices: readonly AlertNotice[],
  defaultRepository: string | undefined,
): string | undefined {
  for (const notice of notices) {
    const repository = notice.repository ?? defaultRepository;
    if (repository === undefined || !credential.repositories.includes(repository)) {
      return `this credential may not act on repository ${shown(repository ?? "(none)")}`;
    }
    const allowed = credential.environments;
    if (
      allowed !== undefined &&
      (notice.environment === undefined || !allowed.includes(notice.environment))
    ) {
      return `this credential may not act on environment ${shown(notice.environment ?? "(unnamed)")} of ${repository}`;
    }
  }
  return undefined;
}
