/** The {@link Deployments} port on the REST deployments API. */
import { z } from "zod";
import { checkGitHubAnswer } from "./api-errors.js";
import type { DeploymentInfo, Deployments } from "./ports.js";
import type { RepoRequest } from "./rest-request.js";

const DeploymentSchema = z.object({
  id: z.number(),
  ref: z.string(),
  environment: z.string(),
  payload: z.union([z.record(z.string(), z.unknown()), z.string()]).nullish(),
});

/** The payload as an object: GitHub hands back a string when it was created as one. */
function toPayload(payload: z.output<typeof DeploymentSchema>["payload"]): Record<string, unknown> {
  if (typeof payload !== "string") return payload ?? {};
  try {
    const parsed: unknown = JSON.parse(payload);
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function toDeployment(data: z.output<typeof DeploymentSchema>): DeploymentInfo {
  return { id: data.id, ref: data.ref, environment: data.environment, payload: toPayload(data.payload) };
}

/** The deployments of one repository. */
export function createDeployments(request: RepoRequest): Deployments {
  return {
    async create(input) {
      const res = await request(
        `create deployment to ${input.environment}`,
        "POST /repos/{owner}/{repo}/deployments",
        {
          ref: input.ref,
          environment: input.environment,
          description: input.description,
          payload: input.payload,
          auto_merge: false,
          required_contexts: [],
          transient_environment: false,
        },
      );
      return toDeployment(checkGitHubAnswer("create deployment", DeploymentSchema, res.data));
    },
    async setStatus(id, state, description, logUrl) {
      await request(
        `set deployment ${id} ${state}`,
        "POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
        {
          deployment_id: id,
          state,
          description: description.slice(0, 140),
          ...(logUrl === undefined ? {} : { log_url: logUrl }),
        },
      );
    },
    async list(environment, limit) {
      const res = await request(
        `list deployments of ${environment}`,
        "GET /repos/{owner}/{repo}/deployments",
        {
          environment,
          per_page: limit,
        },
      );
      return checkGitHubAnswer("list deployments", z.array(DeploymentSchema), res.data).map(toDeployment);
    },
  };
}
