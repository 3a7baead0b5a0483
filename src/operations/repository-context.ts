/**
 * A GitHub repository as the run flow sees it: its default branch, its
 * bot settings (`.github/meta-controller.yml`) and its desired state as
 * pull requests. Read once per command or incident.
 */
import { formatConfigIssue } from "../common/errors.js";
import { BotConfig } from "../config/bot-config.js";
import { parseConfigText } from "../config/load-yaml.js";
import type { Contents, RepoPorts } from "../github/ports.js";
import type { DesiredState } from "./desired-state.js";
import { OperationRefusal } from "./environment-files.js";
import { createGitHubDesiredState } from "./github-desired-state.js";

/** Where the bot's settings live. */
export const BOT_CONFIG_PATH = ".github/meta-controller.yml";

/** Reads `.github/meta-controller.yml`; its defaults when the file is absent. */
export async function loadBotConfig(contents: Contents, ref: string): Promise<BotConfig> {
  const file = await contents.read(BOT_CONFIG_PATH, ref);
  if (!file) return BotConfig.parse({});
  const result = parseConfigText(BOT_CONFIG_PATH, file.text, BotConfig);
  if (!result.ok) throw new OperationRefusal(result.issues.map(formatConfigIssue).join("\n"));
  return result.config.value;
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
  const config = known.config ?? (await loadBotConfig(ports.contents, baseBranch));
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
