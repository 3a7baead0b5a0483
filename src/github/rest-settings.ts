/**
 * The {@link Settings} port: a repository's settings file found the way
 * Probot's `context.config()` finds it — the repository's own file, else
 * the organisation's `.github` repository's, then every file an
 * `_extends: [owner/]repo[:path]` names — through the config plugin of
 * Probot's Octokit (`octokit.config.get`), so organisation-wide defaults
 * work as in every Probot app. The files' texts are read again only to
 * place a validation error at its line and column.
 */
import { UsageError } from "../common/errors.js";
import { throwGitHubFailure } from "./api-errors.js";
import type { RepoRef, Settings, SettingsFile } from "./ports.js";
import { readFile } from "./rest-contents.js";
import type { OctokitLike } from "./rest-request.js";

/** What `@probot/octokit-plugin-config` adds to an Octokit. */
interface ConfigPlugin {
  get(options: { owner: string; repo: string; path: string; branch?: string }): Promise<{
    files: { owner: string; repo: string; path: string; url: string; config: unknown }[];
  }>;
}

/** Creates the port; `octokit` must carry the config plugin (Probot's does). */
export function createSettings(octokit: OctokitLike, repo: RepoRef): Settings {
  return {
    async files(path, ref) {
      const plugin = (octokit as OctokitLike & { config?: ConfigPlugin }).config;
      if (plugin === undefined)
        throw new UsageError("settings files are read with Probot's Octokit (its config plugin)");
      try {
        const { files } = await plugin.get({ owner: repo.owner, repo: repo.repo, path, branch: ref });
        return files.map((f): SettingsFile => ({
          owner: f.owner,
          repo: f.repo,
          path: f.path,
          // The ref applies to the repository's own file; the others are read on their default branch.
          ref: f.owner === repo.owner && f.repo === repo.repo ? ref : undefined,
          config: f.config ?? null,
        }));
      } catch (error) {
        return throwGitHubFailure(`read ${path} (with its _extends)`, error);
      }
    },
    async text(file) {
      const found = await readFile(octokit, { owner: file.owner, repo: file.repo }, file.path, file.ref);
      return found?.text;
    },
  };
}
