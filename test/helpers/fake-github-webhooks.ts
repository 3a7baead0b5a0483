/**
 * Webhook payloads for tests, taken from `@octokit/webhooks-examples` (real
 * payloads GitHub sent) and pointed at the fake repository.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

interface ExampleGroup {
  name: string;
  examples: Record<string, unknown>[];
}

const groups = require("@octokit/webhooks-examples/api.github.com/index.json") as ExampleGroup[];

function example(event: string, pick: (e: Record<string, unknown>) => boolean): Record<string, unknown> {
  const found = groups.find((g) => g.name === event)?.examples.find(pick);
  if (!found) throw new Error(`no ${event} example in @octokit/webhooks-examples`);
  return structuredClone(found);
}

/** Where payloads point. */
export interface PayloadTarget {
  readonly owner: string;
  readonly repo: string;
  readonly installationId: number;
}

function retarget(payload: Record<string, unknown>, target: PayloadTarget): void {
  const repository = payload.repository as Record<string, unknown>;
  repository.name = target.repo;
  repository.full_name = `${target.owner}/${target.repo}`;
  (repository.owner as Record<string, unknown>).login = target.owner;
  payload.installation = { id: target.installationId, node_id: "MDIz" };
}

/** An `issue_comment.created` payload with our comment text. */
export function issueCommentCreated(
  target: PayloadTarget,
  input: {
    issue: number;
    body: string;
    user: string;
    isPullRequest: boolean;
    commentId: number;
    userType?: "User" | "Bot";
  },
): Record<string, unknown> {
  const payload = example("issue_comment", (e) => e.action === "created" && e.installation !== undefined);
  retarget(payload, target);
  const issue = payload.issue as Record<string, unknown>;
  issue.number = input.issue;
  if (input.isPullRequest) {
    issue.pull_request = {
      url: `https://api.github.test/repos/${target.owner}/${target.repo}/pulls/${input.issue}`,
      html_url: `https://github.test/${target.owner}/${target.repo}/pull/${input.issue}`,
      diff_url: null,
      patch_url: null,
    };
  } else {
    delete issue.pull_request;
  }
  const comment = payload.comment as Record<string, unknown>;
  comment.id = input.commentId;
  comment.body = input.body;
  const user = {
    ...(comment.user as Record<string, unknown>),
    login: input.user,
    type: input.userType ?? "User",
  };
  comment.user = user;
  payload.sender = user;
  return payload;
}

/** A GitHub account as webhooks show it. */
export interface WebhookUser {
  readonly login: string;
  readonly type: "User" | "Bot";
}

/**
 * A `pull_request.closed` payload for a PR of the fake. By default the PR's
 * head is in the target repository, the bot opened it and `closer` (the
 * example's sender when absent) closed it.
 */
export function pullRequestClosed(
  target: PayloadTarget,
  input: {
    number: number;
    head: string;
    merged: boolean;
    body?: string;
    /** `owner/name` of the head repository; a fork when it differs from the target. */
    headRepo?: string;
    author?: WebhookUser;
    closer?: WebhookUser;
  },
): Record<string, unknown> {
  const payload = example("pull_request", (e) => e.action === "closed");
  retarget(payload, target);
  const pr = payload.pull_request as Record<string, unknown>;
  pr.number = input.number;
  pr.merged = input.merged;
  const head = pr.head as Record<string, unknown>;
  head.ref = input.head;
  const headRepo = input.headRepo ?? `${target.owner}/${target.repo}`;
  const [headOwner, headName] = headRepo.split("/");
  head.repo = {
    ...(head.repo as Record<string, unknown>),
    name: headName,
    full_name: headRepo,
    owner: { ...(head.repo as { owner: Record<string, unknown> }).owner, login: headOwner },
    fork: headRepo !== `${target.owner}/${target.repo}`,
  };
  const author = input.author ?? { login: "meta-controller[bot]", type: "Bot" };
  pr.user = { ...(pr.user as Record<string, unknown>), ...author };
  if (input.closer !== undefined)
    payload.sender = { ...(payload.sender as Record<string, unknown>), ...input.closer };
  if (input.body !== undefined) pr.body = input.body;
  payload.number = input.number;
  return payload;
}
