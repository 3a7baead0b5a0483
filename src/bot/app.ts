/**
 * The Probot app: comment commands, pull request outcomes, and the alert
 * intake route. The default export is the app function for `probot run`
 * and serverless hosts (settings from the environment);
 * {@link createBotApp} takes them explicitly.
 */
import type { ApplicationFunction, Probot } from "probot";
import { GitHubApiError } from "../common/errors.js";
import type { Logger } from "../common/logger.js";
import { createFileDecisionLogStore } from "../decision/decision-log-file.js";
import { createMemoryDecisionLogStore, type DecisionLogStore } from "../decision/decision-log-store.js";
import type { RepoPorts, RepoRef } from "../github/ports.js";
import { createRepoPorts, type OctokitLike } from "../github/rest-ports.js";
import { createStateBranch } from "../github/state-branch.js";
import type { AlertNotice } from "./alert-payloads.js";
import { createAlertRoute } from "./alert-route.js";
import { readBotAppOptions, type BotAppOptions } from "./app-options.js";
import { parseCommand } from "./commands.js";
import { createSeenKeys } from "./dedup.js";
import { handleCommand } from "./handle-command.js";
import { handleNotice } from "./handle-incident.js";
import { findClosedRevert } from "./pr-closed-outcome.js";
import { createIncidentMemory, createJsonlOutcomeSink, type OutcomeSink } from "./incident-memory.js";
import { createGuardrailPolicy, type IncidentOutcomeEvent } from "./incident-policy.js";
import { createEnginePolicy } from "./engine-policy.js";
import {
  createRepositoryDecisionLog,
  createRepositoryLogShared,
  type RepositoryLogShared,
} from "./repository-decision-log.js";
import { createWorkQueue, type WorkQueue } from "./work-queue.js";

export type { BotAppOptions } from "./app-options.js";

/** Handles kept for tests and the bench: the queue drains through `idle()`. */
export interface BotAppHandle {
  readonly queue: WorkQueue;
}

/** Probot's Octokit seen through the two calls the ports use. */
function asOctokitLike(octokit: { request: unknown; graphql: unknown }): OctokitLike {
  const typed: OctokitLike = octokit as OctokitLike;
  return typed;
}

function splitRepository(full: string): { owner: string; repo: string } | undefined {
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(full);
  return match ? { owner: match[1]!, repo: match[2]! } : undefined;
}

/** Builds the app function with explicit settings. */
export function createBotApp(
  options: BotAppOptions = {},
  handle?: (h: BotAppHandle) => void,
): ApplicationFunction {
  return (app: Probot, appOptions) => {
    const log: Logger = app.log;
    const memory = createIncidentMemory();
    // The log of a bot that keeps it locally (a file, or memory when nothing is configured).
    const localLog =
      options.decisionLogPath === undefined
        ? createMemoryDecisionLogStore()
        : createFileDecisionLogStore(options.decisionLogPath, {
            onSkipped: (error) => log.warn({ err: error }, "skipped an unreadable decision log line"),
          });
    const policy =
      options.policy ??
      (options.policyKind === "guardrail"
        ? createGuardrailPolicy()
        : createEnginePolicy({
            apiKey: options.openaiApiKey,
            seed: options.seed ?? 1,
            logger: log,
            store: localLog,
          }));
    // Parsed shards and the append queue of each repository outlive one event; the shards are re-listed each time.
    const sharedLogs = new Map<string, RepositoryLogShared>();
    const decisionLogFor = (octokit: OctokitLike, repo: RepoRef): DecisionLogStore | undefined => {
      if (options.decisionLogPath !== undefined) return undefined;
      const key = `${repo.owner}/${repo.repo}`;
      let shared = sharedLogs.get(key);
      if (shared === undefined) sharedLogs.set(key, (shared = createRepositoryLogShared()));
      const state = createStateBranch(octokit, repo, {
        ...(options.decisionLogBranch === undefined ? {} : { branch: options.decisionLogBranch }),
      });
      return createRepositoryDecisionLog(state, shared, undefined, log);
    };
    const now = options.now ?? (() => new Date());
    const outcomes: OutcomeSink =
      options.outcomes ??
      (options.outcomeLogPath
        ? createJsonlOutcomeSink(options.outcomeLogPath)
        : (o) => Promise.resolve(void log.info({ outcome: o }, "incident outcome")));
    const queue = createWorkQueue((error, key) => {
      log.error({ err: error, key }, "alert handling failed");
    });
    handle?.({ queue });

    app.on("issue_comment.created", async (context) => {
      const { comment, issue } = context.payload;
      const command = parseCommand(comment.body);
      if (!command) return;
      const user = comment.user;
      if (!user || user.type === "Bot" || context.isBot) {
        log.info({ user: user?.login }, "refused a command from a bot");
        return;
      }
      const octokit = asOctokitLike(context.octokit);
      const ports = createRepoPorts(octokit, context.repo());
      await ports.comments.react(comment.id, "eyes");
      const decisionLog = decisionLogFor(octokit, context.repo());
      const reply = await handleCommand({
        ports,
        issueNumber: issue.number,
        isPullRequest: issue.pull_request !== undefined && issue.pull_request !== null,
        commenter: user.login,
        command,
        memory,
        cardSummary: options.cardSummary,
        log,
        ...(policy.recordOutcome === undefined
          ? {}
          : {
              recordOutcome: (outcome: Omit<IncidentOutcomeEvent, "at">) =>
                policy.recordOutcome!({ ...outcome, at: now() }, decisionLog),
            }),
      });
      await ports.comments.create(issue.number, reply);
    });

    app.on("pull_request.closed", async (context) => {
      const pr = context.payload.pull_request;
      const match = /^meta-controller\/[a-z]+\/([a-z0-9-]+)\//.exec(pr.head.ref);
      if (!match) return;
      const octokit = asOctokitLike(context.octokit);
      const ports = createRepoPorts(octokit, context.repo());
      if (!pr.merged && policy.recordOutcome) {
        // A person closing the bot's rollback unmerged says the rollback was wrong.
        const decisionLog = decisionLogFor(octokit, context.repo());
        const revert = await findClosedRevert(
          ports,
          decisionLog ?? localLog,
          {
            repository: context.payload.repository.full_name,
            headRef: pr.head.ref,
            headRepo: pr.head.repo?.full_name ?? null,
            body: pr.body ?? "",
            merged: pr.merged,
            author: { login: pr.user.login, type: pr.user.type },
            closer: { login: context.payload.sender.login, type: context.payload.sender.type },
          },
          log,
        );
        if (revert !== undefined) {
          await policy.recordOutcome(
            {
              fingerprint: revert.fingerprint,
              decisionId: revert.decisionId,
              at: now(),
              event: "human_revert",
              detail: "rollback_pr_closed_unmerged",
            },
            decisionLog,
          );
        }
      }
      const deployments = await ports.deployments.list(match[1]!, 30);
      const record = deployments.find((d) => d.payload.pull_request === pr.number);
      if (!record) return;
      await ports.deployments.setStatus(
        record.id,
        pr.merged ? "success" : "failure",
        pr.merged ? `PR #${pr.number} merged` : `PR #${pr.number} closed without merging`,
        pr.html_url,
      );
    });

    app.on("pull_request_review.submitted", (context) => {
      // Reviews gate the bot's PRs through branch rules and auto-merge; the
      // bot only notes them.
      const { review, pull_request: pr } = context.payload;
      if (pr.head.ref.startsWith("meta-controller/")) {
        log.info({ pr: pr.number, state: review.state }, "review on a Meta-Controller pull request");
      }
    });

    const installations = new Map<string, number>();
    async function portsFor(
      repository: string,
    ): Promise<{ ports: RepoPorts; decisionLog?: DecisionLogStore }> {
      const ref = splitRepository(repository);
      if (!ref)
        throw new GitHubApiError(`alert names repository ${JSON.stringify(repository)}; expected owner/name`);
      let id = installations.get(repository);
      if (id === undefined) {
        const appOctokit = asOctokitLike(await app.auth());
        const res = await appOctokit.request("GET /repos/{owner}/{repo}/installation", ref);
        const data = res.data as { id?: unknown };
        if (typeof data.id !== "number")
          throw new GitHubApiError(`the app is not installed on ${repository}`);
        id = data.id;
        installations.set(repository, id);
      }
      const octokit = asOctokitLike(await app.auth(id));
      const decisionLog = decisionLogFor(octokit, ref);
      return { ports: createRepoPorts(octokit, ref), ...(decisionLog === undefined ? {} : { decisionLog }) };
    }

    const accept = (notice: AlertNotice) => {
      const repository = notice.repository ?? options.defaultRepository;
      if (!repository) {
        log.warn(
          { fingerprint: notice.fingerprint },
          "alert names no repository and there is no default; dropped",
        );
        return;
      }
      queue.push(`${repository}#${notice.environment ?? ""}`, async () => {
        const target = await portsFor(repository);
        await handleNotice({ ...target, policy, memory, outcomes, now, log }, notice);
      });
    };

    if (typeof appOptions?.addHandler === "function") {
      appOptions.addHandler(
        createAlertRoute({
          path: options.alertsPath ?? "/api/alerts",
          token: options.alertToken,
          hmacSecret: options.alertHmacSecret,
          maxBytes: options.maxAlertBytes ?? 1024 * 1024,
          seen: createSeenKeys(),
          now,
          log,
          accept,
        }),
      );
    } else {
      log.warn("no HTTP server to add /api/alerts to (serverless host?): alert intake is off");
    }
  };
}

/** The app function for `probot run` and serverless hosts; settings come from the environment. */
export default function metaControllerApp(app: Probot, appOptions: Parameters<ApplicationFunction>[1]) {
  return createBotApp(readBotAppOptions(process.env))(app, appOptions);
}
