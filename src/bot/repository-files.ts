/**
 * Reads the bot's settings and an environment file from the repository,
 * validated by the config schemas. A broken file becomes a reply that names
 * the file, line and column, never a crash.
 */
import { formatConfigIssue, MetaControllerError } from "../common/errors.js";
import { BotConfig } from "../config/bot-config.js";
import { EnvironmentSpec } from "../config/environment.js";
import { parseConfigText } from "../config/load-yaml.js";
import type { Contents } from "../github/ports.js";

/** Where the bot's settings live. */
export const BOT_CONFIG_PATH = ".github/meta-controller.yml";

/** A refusal or a problem the bot explains to the person who asked. */
export class BotRefusal extends MetaControllerError {}

/** An environment file as read from a branch. */
export interface LoadedEnvironment {
  readonly name: string;
  readonly path: string;
  readonly text: string;
  /** Blob sha, to update the file. */
  readonly sha: string;
  readonly spec: EnvironmentSpec;
}

/** Reads `.github/meta-controller.yml`; its defaults when the file is absent. */
export async function loadBotConfig(contents: Contents, ref: string): Promise<BotConfig> {
  const file = await contents.read(BOT_CONFIG_PATH, ref);
  if (!file) return BotConfig.parse({});
  const result = parseConfigText(BOT_CONFIG_PATH, file.text, BotConfig);
  if (!result.ok) throw new BotRefusal(result.issues.map(formatConfigIssue).join("\n"));
  return result.config.value;
}

/** Validates edited text before it is committed. */
export function validateEnvironmentText(path: string, text: string): EnvironmentSpec {
  const result = parseConfigText(path, text, EnvironmentSpec);
  if (!result.ok) throw new BotRefusal(result.issues.map(formatConfigIssue).join("\n"));
  return result.config.value;
}

/** Reads and validates `environments/<name>.yaml`. */
export async function loadEnvironment(
  contents: Contents,
  config: BotConfig,
  name: string,
  ref: string,
): Promise<LoadedEnvironment> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new BotRefusal(`\`${name}\` is not an environment name`);
  const path = `${config.environments_dir.replace(/\/+$/, "")}/${name}.yaml`;
  const file = await contents.read(path, ref);
  if (!file)
    throw new BotRefusal(`environment \`${name}\` does not exist: there is no \`${path}\` on \`${ref}\``);
  const spec = validateEnvironmentText(path, file.text);
  return { name, path, text: file.text, sha: file.sha, spec };
}
