/**
 * The GitHub App's private key from the environment: `PRIVATE_KEY` (PEM,
 * PEM with `\n` escapes as `.env` files hold it, or base64 of the PEM) or
 * the file `PRIVATE_KEY_PATH` names. The key is parsed here, so a key that
 * is not one fails at start with the variable that held it, instead of
 * deep in Probot with `privateKey option is required`.
 */
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { UsageError } from "../common/errors.js";

/** Where the key was read from, for messages (never the key itself). */
function describeSource(env: NodeJS.ProcessEnv): string {
  return env.PRIVATE_KEY ? "PRIVATE_KEY" : `PRIVATE_KEY_PATH=${env.PRIVATE_KEY_PATH ?? ""}`;
}

/** PEM text from what a person pastes: the PEM, the PEM with literal `\n`, or its base64. */
function normalisePem(text: string): string {
  const trimmed = text.trim();
  if (trimmed.includes("-----BEGIN")) return trimmed.replace(/\\n/g, "\n");
  return Buffer.from(trimmed, "base64").toString("utf8");
}

/**
 * Reads and checks the private key, returning it as PEM.
 *
 * @throws UsageError when neither variable is set, the file cannot be read,
 *   or the text is not a private key; the message names the variable.
 */
export function readPrivateKey(env: NodeJS.ProcessEnv): string {
  let text = env.PRIVATE_KEY;
  if (!text && env.PRIVATE_KEY_PATH) {
    try {
      text = readFileSync(env.PRIVATE_KEY_PATH, "utf8");
    } catch (error) {
      throw new UsageError(`PRIVATE_KEY_PATH=${env.PRIVATE_KEY_PATH} cannot be read`, { cause: error });
    }
  }
  if (!text) throw new UsageError("PRIVATE_KEY or PRIVATE_KEY_PATH must hold the GitHub App's private key");
  const pem = normalisePem(text);
  try {
    createPrivateKey(pem);
  } catch (error) {
    // Says what the text looked like, never the text: it is a secret.
    const looked = text.includes("-----BEGIN")
      ? "its PEM text is not a valid private key"
      : "it is neither PEM text nor the base64 of one";
    throw new UsageError(
      `the GitHub App's private key in ${describeSource(env)} could not be parsed: ${looked}; ` +
        `it must be the .pem file GitHub generated ("-----BEGIN RSA PRIVATE KEY-----" …), ` +
        `that text with \\n for line breaks, or its base64`,
      { cause: error },
    );
  }
  return pem;
}
