/** Probot's Octokit seen through the two calls the GitHub ports use. */
import type { OctokitLike } from "../github/rest-ports.js";

/** Narrows Probot's Octokit (whose types are Probot's) to the ports' interface. */
export function asOctokitLike(octokit: { request: unknown; graphql: unknown }): OctokitLike {
  const typed: OctokitLike = octokit as OctokitLike;
  return typed;
}
