/**
 * The one port of the run flow: the desired state of the environments, as
 * files under version control. A use case reads an environment file, reads
 * its history, and proposes a change; it never knows whether the change
 * lands as a local edit (and commit) or as a pull request on GitHub.
 */
import type { EnvironmentSpec } from "../config/environment.js";
import type { DeploymentInfo, PullRequestInfo } from "../github/ports.js";

/** A version of a file: its text and an opaque revision (blob sha, or a content hash for a local file). */
export interface FileVersion {
  readonly text: string;
  readonly revision: string;
}

/** A commit that touched a file, newest first in a history. */
export interface FileCommit {
  /** Commit id; {@link DesiredState.read} takes it as `at`. */
  readonly commit: string;
  /** ISO time of the commit, when known. */
  readonly date: string | undefined;
}

/** An environment file, read and validated. */
export interface EnvironmentFile {
  readonly name: string;
  /** Path relative to the repository root, as in Git. */
  readonly path: string;
  readonly text: string;
  /** What was read, so a change can refuse to overwrite a file that moved meanwhile. */
  readonly revision: string;
  readonly spec: EnvironmentSpec;
}

/** What kind of change a proposal carries. */
export const CHANGE_KINDS = ["deploy", "promote", "abort", "rollback"] as const;
/** One of {@link CHANGE_KINDS}. */
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** When auto-merge cannot be requested, whether a pull request may be merged directly. */
export type DirectMergeFallback =
  /** Rollbacks: merge directly whenever auto-merge cannot be used. */
  | "always"
  /** Deploys: only when GitHub says the PR is already mergeable ("clean status"). */
  | "clean_status_only"
  | "never";

/** A change to the desired state: one environment file's new text, with what people read about it. */
export interface ProposedChange {
  readonly kind: ChangeKind;
  readonly environment: EnvironmentFile;
  readonly newText: string;
  /** Deterministic name of the change (a branch on GitHub): the idempotency key of the proposal. */
  readonly branch: string;
  readonly title: string;
  readonly body: string;
  /** How the change should land where review exists: merged automatically, directly, or left for review. */
  readonly merge: "auto" | "direct" | "none";
  readonly fallback: DirectMergeFallback;
  /** Model reference the change puts into service (or back into service). */
  readonly modelRef: string;
  /** Extra fields for a deployment record. */
  readonly payload?: Readonly<Record<string, unknown>>;
  /**
   * This process may have started the same change before and stopped half
   * way (an alert replayed after a crash): an existing branch without a PR
   * is finished rather than taken for another replica's work.
   */
  readonly resume?: boolean;
}

/** How a pull request will reach the default branch. */
export type MergeState = "auto_merge" | "merged" | "left_for_review";

/** What came of a proposal. */
export type ChangeResult =
  /** The local file was rewritten (and committed when asked). */
  | {
      readonly status: "written";
      readonly path: string;
      readonly before: string;
      readonly after: string;
      /** The commit made, when the adapter commits. */
      readonly commit: string | undefined;
    }
  /** Another delivery or replica already proposed the same change (same branch). */
  | { readonly status: "duplicate"; readonly branch: string; readonly pr: PullRequestInfo | undefined }
  /** A pull request was opened. */
  | {
      readonly status: "opened";
      readonly pr: PullRequestInfo;
      readonly merge: MergeState;
      /** Why the PR was left for review, for the reply. */
      readonly note: string;
      readonly deployment: DeploymentInfo;
    };

/** The desired state of the environments: a local checkout or a GitHub repository. */
export interface DesiredState {
  /** Folder of the environment files, relative to the root. */
  readonly environmentsDir: string;
  /** Words for messages: "the local checkout", "`main` of owner/repo". */
  readonly where: string;
  /** Reads a file now, or as it was at a commit of its history; undefined when it does not exist. */
  read(path: string, at?: string): Promise<FileVersion | undefined>;
  /** Commits that touched `path`, newest first, at most `limit`. */
  history(path: string, limit: number): Promise<readonly FileCommit[]>;
  /** Proposes a change; the adapter decides how it lands. */
  propose(change: ProposedChange): Promise<ChangeResult>;
}
