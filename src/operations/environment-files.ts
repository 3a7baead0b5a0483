/**
 * Reading environment files through the desired-state port, validated by
 * the config schema. A broken file becomes a refusal that names the file,
 * line and column, never a crash.
 */
import { formatConfigIssue, MetaControllerError } from "../common/errors.js";
import { EnvironmentSpec } from "../config/environment.js";
import { parseConfigText } from "../config/load-yaml.js";
import type { DesiredState, EnvironmentFile } from "./desired-state.js";

/** A refusal or a problem explained to whoever asked (a reply, a CLI error). */
export class OperationRefusal extends MetaControllerError {}

const ENVIRONMENT_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** Relative path of an environment's file; refuses names that could leave the folder. */
export function environmentPath(dir: string, name: string): string {
  if (!ENVIRONMENT_NAME.test(name)) {
    throw new OperationRefusal(
      `\`${name.slice(0, 100)}\` is not an environment name (lowercase letters, digits, -)`,
    );
  }
  return `${dir.replace(/\/+$/, "")}/${name}.yaml`;
}

/** Validates environment text (read, or edited before it is proposed). */
export function validateEnvironmentText(path: string, text: string): EnvironmentSpec {
  const result = parseConfigText(path, text, EnvironmentSpec);
  if (!result.ok) throw new OperationRefusal(result.issues.map(formatConfigIssue).join("\n"));
  return result.config.value;
}

/** Reads and validates `<environments dir>/<name>.yaml`. */
export async function loadEnvironment(state: DesiredState, name: string): Promise<EnvironmentFile> {
  const path = environmentPath(state.environmentsDir, name);
  const file = await state.read(path);
  if (!file) {
    throw new OperationRefusal(
      `environment \`${name}\` does not exist: there is no \`${path}\` in ${state.where}`,
    );
  }
  const spec = validateEnvironmentText(path, file.text);
  return { name, path, text: file.text, revision: file.revision, spec };
}
