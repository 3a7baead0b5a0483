/**
 * Opens the pull request that carries one GitOps edit: branch, commit,
 * PR, labels, Deployments API record, then auto-merge or a direct merge as
 * the policy allows. The branch name is the idempotency key: when creating
 * the branch fails because it exists, another delivery or another replica
 * is already on it, and this one stops.
 */
import type { DeploymentInfo, MergeMethod, PullRequestInfo, RepoPorts } from "../github/ports.js";
import type { LoadedEnvironment } from "./repository-files.js";

/** What kind of change a PR carries. */
export type ChangeKind = "deploy" | "promote" | "abort" | "rollback";

/** When auto-merge cannot be requested, whether the bot may merge directly. */
export type DirectMergeFallback =
  /** Rollbacks: merge directly whenever auto-merge cannot be used. */
  | "always"
  /** Deploys: only when GitHub says the PR is already mergeable ("clean status"). */
  | "clean_status_only"
  | "never";

/** One change to open. */
export interface ChangeRequest {
  readonly kind: ChangeKind;
  readonly environment: LoadedEnvironment;
  readonly newText: string;
  readonly branch: string;
  readonly title: string;
  readonly body: string;
  readonly labels: readonly string[];
  readonly merge: "auto" | "direct" | "none";
  readonly fallback: DirectMergeFallback;
  readonly mergeMethod: MergeMethod;
  /** Model reference the deployment record names. */
  readonly modelRef: string;
  /** Extra fields for the deployment payload. */
  readonly payload?: Readonly<Record<string, unknown>>;
}

/** How the PR will reach the default branch. */
export type MergeState = "auto_merge" | "merged" | "left_for_review";

/** What came of a change request. */
export type ChangeResult =
  | { readonly status: "duplicate"; readonly branch: string; readonly pr: PullRequestInfo | undefined }
  | {
      readonly status: "opened";
      readonly pr: PullRequestInfo;
      readonly merge: MergeState;
      /** Why the PR was left for review, for the reply. */
      readonly note: string;
      readonly deployment: DeploymentInfo;
    };

async function mergeNow(ports: RepoPorts, pr: PullRequestInfo, method: MergeMethod): Promise<boolean> {
  try {
    await ports.pulls.merge(pr.number, method, pr.headSha);
    return true;
  } catch {
    return false;
  }
}

async function settleMerge(
  ports: RepoPorts,
  pr: PullRequestInfo,
  request: ChangeRequest,
): Promise<[MergeState, string]> {
  if (request.merge === "none")
    return ["left_for_review", "the environment's policy leaves this PR for review"];
  if (request.merge === "direct") {
    return (await mergeNow(ports, pr, request.mergeMethod))
      ? ["merged", ""]
      : ["left_for_review", "merging directly failed (branch rules or a conflict); it needs a person"];
  }
  const outcome = await ports.pulls.enableAutoMerge(pr, request.mergeMethod);
  if (outcome === "enabled") return ["auto_merge", ""];
  const allowed =
    request.fallback === "always" || (request.fallback === "clean_status_only" && outcome === "clean_status");
  if (!allowed) {
    return [
      "left_for_review",
      outcome === "not_allowed"
        ? "auto-merge is switched off in this repository, so the PR waits for review"
        : "auto-merge could not be requested, so the PR waits for review",
    ];
  }
  return (await mergeNow(ports, pr, request.mergeMethod))
    ? ["merged", ""]
    : ["left_for_review", "auto-merge was refused and merging directly failed; it needs a person"];
}

/** Opens (or recognises as already opened) the PR of one change. */
export async function openChangePr(
  ports: RepoPorts,
  baseBranch: string,
  request: ChangeRequest,
): Promise<ChangeResult> {
  const baseSha = await ports.contents.branchSha(baseBranch);
  const created = await ports.contents.createBranch(request.branch, baseSha);
  if (created === "exists") {
    return {
      status: "duplicate",
      branch: request.branch,
      pr: await ports.pulls.findOpenByHead(request.branch),
    };
  }
  await ports.contents.write({
    path: request.environment.path,
    text: request.newText,
    sha: request.environment.sha,
    branch: request.branch,
    message: request.title,
  });
  const pr = await ports.pulls.create({
    head: request.branch,
    base: baseBranch,
    title: request.title,
    body: request.body,
  });
  await ports.pulls.addLabels(pr.number, [...request.labels, `meta-controller:${request.kind}`]);
  const deployment = await ports.deployments.create({
    ref: request.branch,
    environment: request.environment.name,
    description: `${request.kind} ${request.modelRef}`.slice(0, 140),
    payload: { kind: request.kind, model_ref: request.modelRef, pull_request: pr.number, ...request.payload },
  });
  await ports.deployments.setStatus(deployment.id, "in_progress", `PR #${pr.number} opened`, pr.url);
  const [merge, note] = await settleMerge(ports, pr, request);
  if (merge === "merged") {
    await ports.deployments.setStatus(deployment.id, "success", `PR #${pr.number} merged`, pr.url);
  }
  return { status: "opened", pr, merge, note, deployment };
}
