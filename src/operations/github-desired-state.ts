/**
 * The desired state on GitHub: a change is a pull request — branch,
 * commit, PR, labels, a Deployments API record — then auto-merge or a
 * direct merge as the change allows. The branch name is the idempotency
 * key: when the branch exists, another delivery or replica is already on
 * it, and this proposal stops there.
 */
import type { MergeMethod, PullRequestInfo, RepoPorts } from "../github/ports.js";
import type { ChangeResult, DesiredState, MergeState, ProposedChange } from "./desired-state.js";
import { withPriorityWrites } from "../github/write-spacing.js";

/** Where and how pull requests are opened. */
export interface GitHubDesiredStateOptions {
  readonly ports: RepoPorts;
  /** Branch PRs target and files are read from. */
  readonly baseBranch: string;
  readonly environmentsDir: string;
  /** Labels on every PR (the kind's own label is added). */
  readonly labels: readonly string[];
  readonly mergeMethod: MergeMethod;
}

async function mergeNow(ports: RepoPorts, pr: PullRequestInfo, method: MergeMethod): Promise<boolean> {
  try {
    await ports.pulls.merge(pr.number, method, pr.headSha);
    return true;
  } catch {
    return false;
  }
}

async function settleMerge(
  options: GitHubDesiredStateOptions,
  pr: PullRequestInfo,
  change: ProposedChange,
): Promise<[MergeState, string]> {
  const { ports, mergeMethod } = options;
  if (change.merge === "none")
    return ["left_for_review", "the environment's policy leaves this PR for review"];
  if (change.merge === "direct") {
    return (await mergeNow(ports, pr, mergeMethod))
      ? ["merged", ""]
      : ["left_for_review", "merging directly failed (branch rules or a conflict); it needs a person"];
  }
  const outcome = await ports.pulls.enableAutoMerge(pr, mergeMethod);
  if (outcome === "enabled") return ["auto_merge", ""];
  const allowed =
    change.fallback === "always" || (change.fallback === "clean_status_only" && outcome === "clean_status");
  if (!allowed) {
    return [
      "left_for_review",
      outcome === "not_allowed"
        ? "auto-merge is switched off in this repository, so the PR waits for review"
        : "auto-merge could not be requested, so the PR waits for review",
    ];
  }
  return (await mergeNow(ports, pr, mergeMethod))
    ? ["merged", ""]
    : ["left_for_review", "auto-merge was refused and merging directly failed; it needs a person"];
}

/**
 * The branch already exists: another delivery or replica is on this
 * change, a duplicate. When resuming, a PR on it (open or closed) is the
 * same answer; without one, this process stopped between the branch and
 * the PR (it was killed): the file is written if the branch lacks it, and
 * the PR opened.
 */
async function resumeOrDuplicate(
  options: GitHubDesiredStateOptions,
  change: ProposedChange,
): Promise<PullRequestInfo | ChangeResult> {
  const { ports } = options;
  if (change.resume !== true) {
    return {
      status: "duplicate",
      branch: change.branch,
      pr: await ports.pulls.findOpenByHead(change.branch),
    };
  }
  const existing = await ports.pulls.findLatestByHead(change.branch);
  if (existing !== undefined) return { status: "duplicate", branch: change.branch, pr: existing };
  const onBranch = await ports.contents.read(change.environment.path, change.branch);
  if (onBranch?.text !== change.newText) {
    await ports.contents.write({
      path: change.environment.path,
      text: change.newText,
      sha: onBranch?.sha ?? change.environment.revision,
      branch: change.branch,
      message: change.title,
    });
  }
  return createResumedPull(options, change);
}

function createPull(options: GitHubDesiredStateOptions, change: ProposedChange): Promise<PullRequestInfo> {
  return options.ports.pulls.create({
    head: change.branch,
    base: options.baseBranch,
    title: change.title,
    body: change.body,
  });
}

/** Opens the PR of a resumed change; when another replica opened it meanwhile, that one is the answer. */
async function createResumedPull(
  options: GitHubDesiredStateOptions,
  change: ProposedChange,
): Promise<PullRequestInfo | ChangeResult> {
  try {
    return await createPull(options, change);
  } catch (error) {
    const existing = await options.ports.pulls.findLatestByHead(change.branch);
    if (existing === undefined) throw error;
    return { status: "duplicate", branch: change.branch, pr: existing };
  }
}

/**
 * Branch, file, PR, merge first — the change itself, the critical path
 * of a rollback, with its writes ahead of queued bookkeeping; the labels and
 * the Deployments record follow at ordinary priority.
 */
async function openPullRequest(
  options: GitHubDesiredStateOptions,
  change: ProposedChange,
): Promise<ChangeResult> {
  const made = await withPriorityWrites(() => makeChange(options, change));
  if ("status" in made) return made;
  const { pr, merge, note } = made;
  const { ports } = options;
  await ports.pulls.addLabels(pr.number, [...options.labels, `meta-controller:${change.kind}`]);
  const deployment = await ports.deployments.create({
    // A merged branch may be deleted already; its head commit stays.
    ref: merge === "merged" ? pr.headSha : change.branch,
    environment: change.environment.name,
    description: `${change.kind} ${change.modelRef}`.slice(0, 140),
    payload: { kind: change.kind, model_ref: change.modelRef, pull_request: pr.number, ...change.payload },
  });
  await ports.deployments.setStatus(deployment.id, "in_progress", `PR #${pr.number} opened`, pr.url);
  if (merge === "merged") {
    await ports.deployments.setStatus(deployment.id, "success", `PR #${pr.number} merged`, pr.url);
  }
  return { status: "opened", pr, merge, note, deployment };
}

/** The change itself: branch, file, PR and merge (or auto-merge), or the answer of a resumed branch. */
async function makeChange(
  options: GitHubDesiredStateOptions,
  change: ProposedChange,
): Promise<ChangeResult | { pr: PullRequestInfo; merge: MergeState; note: string }> {
  const { ports, baseBranch } = options;
  const baseSha = await ports.contents.branchSha(baseBranch);
  let pr: PullRequestInfo;
  if ((await ports.contents.createBranch(change.branch, baseSha)) === "exists") {
    const resumed = await resumeOrDuplicate(options, change);
    if ("status" in resumed) return resumed;
    pr = resumed;
  } else {
    await ports.contents.write({
      path: change.environment.path,
      text: change.newText,
      sha: change.environment.revision,
      branch: change.branch,
      message: change.title,
    });
    pr = await createPull(options, change);
  }
  const [merge, note] = await settleMerge(options, pr, change);
  return { pr, merge, note };
}

/** The desired state as the default branch of a GitHub repository; changes become pull requests. */
export function createGitHubDesiredState(options: GitHubDesiredStateOptions): DesiredState {
  const { ports, baseBranch } = options;
  return {
    environmentsDir: options.environmentsDir,
    where: `\`${baseBranch}\` of ${ports.repo.owner}/${ports.repo.repo}`,
    async read(path, at) {
      const file = await ports.contents.read(path, at ?? baseBranch);
      return file === undefined ? undefined : { text: file.text, revision: file.sha };
    },
    async history(path, limit) {
      const commits = await ports.contents.history(path, baseBranch, limit);
      return commits.map((c) => ({ commit: c.sha, date: c.date }));
    },
    propose: (change) => openPullRequest(options, change),
  };
}
