/** The {@link Workflows} port on the REST Actions API. */
import type { Workflows } from "./ports.js";
import type { RepoRequest } from "./rest-request.js";

/** The workflows of one repository. */
export function createWorkflows(request: RepoRequest): Workflows {
  return {
    async dispatch(workflow, ref, inputs) {
      await request(
        `dispatch ${workflow}`,
        "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
        {
          workflow_id: workflow,
          ref,
          inputs,
        },
      );
    },
  };
}
