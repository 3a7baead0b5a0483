/** The {@link Permissions} port on the REST collaborators API. */
import { z } from "zod";
import { PERMISSION_LEVELS, type PermissionLevel } from "../config/environment.js";
import { checkGitHubAnswer, statusOf } from "./api-errors.js";
import type { Permissions, RepoRef } from "./ports.js";
import { type OctokitLike, rethrowGitHubFailure } from "./rest-request.js";

/** The custom role name when it is one of ours, else the base permission, else `none`. */
function toLevel(roleName: string | null | undefined, permission: string): PermissionLevel | "none" {
  const candidate = roleName ?? permission;
  return (PERMISSION_LEVELS as readonly string[]).includes(candidate)
    ? (candidate as PermissionLevel)
    : (PERMISSION_LEVELS as readonly string[]).includes(permission)
      ? (permission as PermissionLevel)
      : "none";
}

/** The collaborator permissions of one repository. */
export function createPermissions(octokit: OctokitLike, repo: RepoRef): Permissions {
  return {
    async levelOf(user) {
      try {
        const res = await octokit.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", {
          owner: repo.owner,
          repo: repo.repo,
          username: user,
        });
        const data = checkGitHubAnswer(
          `permission of ${user}`,
          z.object({ permission: z.string(), role_name: z.string().nullish() }),
          res.data,
        );
        return toLevel(data.role_name, data.permission);
      } catch (error) {
        // GitHub answers 404 for a user who is not a collaborator.
        if (statusOf(error) === 404) return "none";
        return rethrowGitHubFailure(`permission of ${user}`, error);
      }
    },
  };
}
