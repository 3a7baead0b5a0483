/**
 * Narrow ports onto the GitHub API, one per concern. The bot (and the
 * Action) receive these, never a whole Octokit, so tests can hand in plain
 * fakes and every API call stays in `src/github/`.
 */
import type { PermissionLevel } from "../config/environment.js";

/** A repository, `owner/name`. */
export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

/** The parts of a pull request the bot reads. */
export interface PullRequestInfo {
  readonly number: number;
  readonly nodeId: string;
  readonly url: string;
  readonly state: "open" | "closed";
  readonly merged: boolean;
  readonly headRef: string;
  readonly headSha: string;
  /** `owner/name` of the head repository; null when the fork was deleted. */
  readonly headRepo: string | null;
  readonly baseRepo: string;
  readonly baseRef: string;
  readonly title: string;
  readonly body: string;
  /** Login of the PR's author; null when GitHub names none (a deleted account). */
  readonly author: string | null;
}

/** How a request for auto-merge ended. */
export type AutoMergeOutcome =
  /** Auto-merge is on; GitHub merges when the rules are met. */
  | "enabled"
  /** The PR is mergeable right now ("clean status"): GitHub refuses to queue it. */
  | "clean_status"
  /** Auto-merge is switched off in the repository settings. */
  | "not_allowed";

/** Merge methods GitHub knows. */
export type MergeMethod = "merge" | "squash" | "rebase";

/** Pull requests. */
export interface PullRequests {
  get(number: number): Promise<PullRequestInfo>;
  create(input: { head: string; base: string; title: string; body: string }): Promise<PullRequestInfo>;
  /** The open PR whose head is `branch` in this repository, if any. */
  findOpenByHead(branch: string): Promise<PullRequestInfo | undefined>;
  /** The newest PR, open or closed, whose head is `branch` in this repository, if any. */
  findLatestByHead(branch: string): Promise<PullRequestInfo | undefined>;
  /** Closes a PR without merging it. */
  close(number: number): Promise<void>;
  addLabels(number: number, labels: readonly string[]): Promise<void>;
  /** Requests auto-merge through GraphQL `enablePullRequestAutoMerge`. */
  enableAutoMerge(pr: PullRequestInfo, method: MergeMethod): Promise<AutoMergeOutcome>;
  /** Merges now; `sha` guards against a head that moved. */
  merge(number: number, method: MergeMethod, sha?: string): Promise<void>;
}

/** A file read from the repository. */
export interface FileContent {
  readonly text: string;
  /** Blob sha, needed to update the file. */
  readonly sha: string;
}

/** Repository contents and branches. */
export interface Contents {
  defaultBranch(): Promise<string>;
  /** Reads a text file; undefined when it does not exist. */
  read(path: string, ref?: string): Promise<FileContent | undefined>;
  /** Commits that touched `path` on `ref`, newest first. */
  history(
    path: string,
    ref: string,
    limit: number,
  ): Promise<readonly { sha: string; message: string; date: string | undefined }[]>;
  /** Head commit of a branch. */
  branchSha(branch: string): Promise<string>;
  /** Creates a branch; `exists` when a branch of that name is already there. */
  createBranch(branch: string, sha: string): Promise<"created" | "exists">;
  /** Commits a new version of a file on a branch. */
  write(input: { path: string; text: string; sha: string; branch: string; message: string }): Promise<void>;
  /** Numbers of the pull requests a commit belongs to. */
  pullsOfCommit(sha: string): Promise<readonly number[]>;
}

/** A comment on an issue or pull request. */
export interface CommentInfo {
  readonly id: number;
  readonly body: string;
  readonly author: string;
  readonly url: string;
}

/** Reactions that GitHub accepts on comments. */
export type Reaction = "+1" | "-1" | "laugh" | "confused" | "heart" | "hooray" | "rocket" | "eyes";

/** A reaction someone left. */
export interface ReactionInfo {
  readonly content: string;
  readonly user: string;
}

/** Issue and pull request comments, reactions and tracking issues. */
export interface Comments {
  react(commentId: number, reaction: Reaction): Promise<void>;
  /** Reactions on an issue or pull request itself (GitHub sends no webhook for them). */
  reactionsOf(issueNumber: number): Promise<readonly ReactionInfo[]>;
  create(issueNumber: number, body: string): Promise<CommentInfo>;
  update(commentId: number, body: string): Promise<void>;
  list(issueNumber: number): Promise<readonly CommentInfo[]>;
  /** The open issue carrying `label` and this exact title, created when missing. */
  findOrCreateIssue(title: string, label: string, body: string): Promise<number>;
}

/** States of a deployment status. */
export type DeploymentState =
  "in_progress" | "success" | "failure" | "inactive" | "error" | "queued" | "pending";

/** A deployment record. */
export interface DeploymentInfo {
  readonly id: number;
  readonly ref: string;
  readonly environment: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** The Deployments API. */
export interface Deployments {
  create(input: {
    ref: string;
    environment: string;
    description: string;
    payload: Record<string, unknown>;
  }): Promise<DeploymentInfo>;
  setStatus(id: number, state: DeploymentState, description: string, logUrl?: string): Promise<void>;
  /** Deployments of an environment, newest first. */
  list(environment: string, limit: number): Promise<readonly DeploymentInfo[]>;
}

/** Collaborator permissions. */
export interface Permissions {
  /** The user's permission on the repository; `none` when not a collaborator. */
  levelOf(user: string): Promise<PermissionLevel | "none">;
}

/** Actions workflows. */
export interface Workflows {
  dispatch(workflow: string, ref: string, inputs: Record<string, string>): Promise<void>;
}

/** Everything the bot may do in one repository. */
/** One settings file of a repository's chain (its own, the organisation's `.github`, or one it extends). */
export interface SettingsFile {
  readonly owner: string;
  readonly repo: string;
  readonly path: string;
  /** The ref read; undefined for the default branch. */
  readonly ref: string | undefined;
  /** Its parsed content (without `_extends`); null when the file does not exist. */
  readonly config: unknown;
}

/** A settings file with Probot's inheritance (organisation `.github` repository, `_extends`). */
export interface Settings {
  /** The chain of files for `path`, nearest first (the repository's own file at `ref`). */
  files(path: string, ref: string): Promise<SettingsFile[]>;
  /** The text of one file of the chain; undefined when it is gone. */
  text(file: SettingsFile): Promise<string | undefined>;
}

export interface RepoPorts {
  readonly repo: RepoRef;
  readonly settings: Settings;
  readonly pulls: PullRequests;
  readonly contents: Contents;
  readonly comments: Comments;
  readonly deployments: Deployments;
  readonly permissions: Permissions;
  readonly workflows: Workflows;
}

/** A file of the state branch as listed in its folder. */
export interface StateFileEntry {
  readonly path: string;
  /** Blob sha: changes exactly when the content does, so readers cache by it. */
  readonly sha: string;
  readonly size: number;
}

/** How an append went. */
export interface StateAppendResult {
  /** Commits tried; more than 1 when another writer got there first. */
  readonly attempts: number;
  /** Size of the file after the append, bytes. */
  readonly size: number;
  /** The file the text landed in (the last one chosen, when a chooser was given). */
  readonly path: string;
}

/**
 * Picks the file an append goes to, asked again before every attempt: after
 * a lost race another writer may have started a new file, and the text must
 * follow it.
 */
export type StatePathChooser = () => Promise<string>;

/**
 * Files on a branch that holds the bot's own state (the decision log), so
 * that any replica can read what any other wrote. Appends are
 * read-modify-write commits guarded by the blob sha.
 */
export interface StateBranch {
  readonly branch: string;
  /** Files directly under `dir`; empty when the branch or the folder is missing. */
  list(dir: string): Promise<readonly StateFileEntry[]>;
  /** Reads a file; undefined when it (or the branch) does not exist. */
  read(path: string): Promise<FileContent | undefined>;
  /**
   * Appends `text` to `path` (creating the file, and the branch as an
   * orphan holding only a README, when missing). A concurrent writer makes
   * the commit fail on the sha; the append then re-reads (re-choosing the
   * file when `path` is a chooser) and retries a bounded number of times
   * before failing with a {@link GitHubApiError}.
   */
  append(path: string | StatePathChooser, text: string, message: string): Promise<StateAppendResult>;
}
