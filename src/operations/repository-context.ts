/**
 * A GitHub repository as the run flow sees it: its default branch, its
 * bot settings (`.github/meta-controller.yml`) and its desired state as
 * pull requests. Read once per command or incident.
 */
import deepmerge from "deepmerge";
import { formatConfigIssue } from "../common/errors.js";
import { BotConfig } from "../config/bot-config.js";
import { parseConfigText } from "../config/load-yaml.js";
import type { RepoPorts, Settings, SettingsFile } from "../github/ports.js";
import type { DesiredState } from "./desired-state.js";
import { OperationRefusal } from "./environment-files.js";
import { createGitHubDesiredState } from "./github-desired-state.js";

/** Where the bot's settings live. */
export const BOT_CONFIG_PATH = ".github/meta-controller.yml";

/** How a settings file of the chain is named in messages: the path, with the repository when it is another. */
function describeFile(file: SettingsFile, home: RepoPorts["repo"]): string {
  const own = file.owner === home.owner && file.repo === home.repo;
  return own ? file.path : `${file.owner}/${file.repo}:${file.path}`;
}

/**
 * Each file of the chain checked alone (every setting has a default, so
 * each must be valid by itself), so a bad value is reported at its own
 * file, line and column.
 */
async function explainInvalid(settings: Settings, files: readonly SettingsFile[], home: RepoPorts["repo"]) {
  const lines: string[] = [];
  for (const file of files) {
    const text = await settings.text(file);
    if (text === undefined) continue;
    const result = parseConfigText(describeFile(file, home), text, BotConfig);
    if (!result.ok) lines.push(...result.issues.map(formatConfigIssue));
  }
  return lines;
}

/**
 * Reads `.github/meta-controller.yml` as Probot's `context.config()` does:
 * the repository's file (at `ref`), else the organisation's `.github`
 * repository's, each merged over the files its `_extends` names (nearer
 * files win; an array is replaced, not appended to). Its defaults when no
 * file exists. A bad value is reported at its file, line and column.
 */
export async function loadBotConfig(
  ports: Pick<RepoPorts, "settings" | "repo">,
  ref: string,
): Promise<BotConfig> {
  const files = (await ports.settings.files(BOT_CONFIG_PATH, ref)).filter((f) => f.config !== null);
  if (files.length === 0) return BotConfig.parse({});
  const merged = deepmerge.all(files.map((f) => f.config as object).reverse(), {
    arrayMerge: (_base: unknown[], nearer: unknown[]) => nearer,
  });
  const result = BotConfig.safeParse(merged);
  if (result.success) return result.data;
  const located = await explainInvalid(ports.settings, files, ports.repo);
  const fallback = result.error.issues.map(
    (issue) =>
      `${files.map((f) => describeFile(f, ports.repo)).join(" + ")}: ${issue.path.join(".")}: ${issue.message}`,
  );
  throw new OperationRefusal((located.length > 0 ? located : fallback).join("\n"));
}

/** One repository, ready for the run flow's use cases. */
export interface RepositoryContext {
  readonly ports: RepoPorts;
  readonly baseBranch: string;
  readonly config: BotConfig;
  readonly state: DesiredState;
  /** `owner/name`. */
  readonly repository: string;
}

/** Reads the default branch and the settings; `config` and `baseBranch` skip the reads when the caller has them. */
export async function openRepositoryContext(
  ports: RepoPorts,
  known: { readonly baseBranch?: string; readonly config?: BotConfig } = {},
): Promise<RepositoryContext> {
  const baseBranch = known.baseBranch ?? (await ports.contents.defaultBranch());
  const config = known.config ?? (await loadBotConfig(ports, baseBranch));
  const state = createGitHubDesiredState({
    ports,
    baseBranch,
    environmentsDir: config.environments_dir,
    labels: config.labels,
    mergeMethod: config.merge_method,
  });
  return { ports, baseBranch, config, state, repository: `${ports.repo.owner}/${ports.repo.repo}` };
}

/** The environment an alert or command acts on: the one it names, else the repository's default. */
export function resolveEnvironmentName(named: string | undefined, config: BotConfig): string {
  return named ?? config.default_environment;
}
