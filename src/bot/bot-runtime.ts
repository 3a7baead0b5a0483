/**
 * What the bot keeps for the life of its process, shared by every event:
 * the incident policy, the incident memory, where outcomes go, the work
 * queue of alerts, and the decision log of each repository.
 */
import type { Logger } from "../common/logger.js";
import { createEnginePolicy } from "../decision/engine-policy.js";
import { createFileDecisionLogStore } from "../decision/decision-log-file.js";
import { createMemoryDecisionLogStore, type DecisionLogStore } from "../decision/decision-log-store.js";
import { createGuardrailPolicy, type IncidentPolicy } from "../decision/incident-policy.js";
import type { RepoRef } from "../github/ports.js";
import type { OctokitLike } from "../github/rest-ports.js";
import { createStateBranch } from "../github/state-branch.js";
import {
  createIncidentMemory,
  createJsonlOutcomeSink,
  type IncidentMemory,
  type OutcomeSink,
} from "../operations/incident-memory.js";
import type { BotAppOptions } from "./app-options.js";
import {
  createRepositoryDecisionLog,
  createRepositoryLogShared,
  holdLogWrites,
  untilUnheld,
  type RepositoryLogShared,
} from "./repository-decision-log.js";
import { createWorkQueue, type WorkQueue } from "./work-queue.js";

/** The bot's process-wide state. */
export interface BotRuntime {
  readonly options: BotAppOptions;
  readonly log: Logger;
  readonly policy: IncidentPolicy;
  readonly memory: IncidentMemory;
  readonly outcomes: OutcomeSink;
  readonly queue: WorkQueue;
  readonly now: () => Date;
  /** The log of a bot that keeps it locally (a file, or memory when nothing is configured). */
  readonly localLog: DecisionLogStore;
  /** The repository's decision log on its state branch; undefined when the bot keeps a local file. */
  decisionLogFor(octokit: OctokitLike, repo: RepoRef): DecisionLogStore | undefined;
  /** Holds the repository log's writes back until the returned function is called (see `holdLogWrites`). */
  holdLogWrites(repository: string): () => void;
  /** Resolves when no incident of the repository holds the log's writes back (none is writing its action). */
  untilActionsWritten(repository: string): Promise<void>;
}

function choosePolicy(options: BotAppOptions, log: Logger, localLog: DecisionLogStore): IncidentPolicy {
  if (options.policy !== undefined) return options.policy;
  if (options.policyKind === "guardrail") return createGuardrailPolicy();
  return createEnginePolicy({
    apiKey: options.openaiApiKey,
    ...(options.llm === undefined ? {} : { llm: options.llm }),
    ...(options.linkHosts === undefined ? {} : { linkHosts: options.linkHosts }),
    seed: options.seed ?? 1,
    logger: log,
    store: localLog,
  });
}

function chooseOutcomeSink(options: BotAppOptions, log: Logger): OutcomeSink {
  if (options.outcomes !== undefined) return options.outcomes;
  if (options.outcomeLogPath) return createJsonlOutcomeSink(options.outcomeLogPath);
  return (outcome) => Promise.resolve(void log.info({ outcome }, "incident outcome"));
}

/** Builds the runtime from the settings. */
export function createBotRuntime(options: BotAppOptions, log: Logger): BotRuntime {
  const localLog =
    options.decisionLogPath === undefined
      ? createMemoryDecisionLogStore()
      : createFileDecisionLogStore(options.decisionLogPath, {
          onSkipped: (error) => log.warn({ err: error }, "skipped an unreadable decision log line"),
        });
  // Parsed shards and the append queue of each repository outlive one event; the shards are re-listed each time.
  const sharedLogs = new Map<string, RepositoryLogShared>();
  const sharedOf = (key: string): RepositoryLogShared => {
    let shared = sharedLogs.get(key);
    if (shared === undefined) sharedLogs.set(key, (shared = createRepositoryLogShared()));
    return shared;
  };
  return {
    options,
    log,
    localLog,
    policy: choosePolicy(options, log, localLog),
    memory: createIncidentMemory(),
    outcomes: chooseOutcomeSink(options, log),
    now: options.now ?? (() => new Date()),
    queue: createWorkQueue((error, key) => log.error({ err: error, key }, "alert handling failed")),
    decisionLogFor(octokit, repo) {
      if (options.decisionLogPath !== undefined) return undefined;
      const shared = sharedOf(`${repo.owner}/${repo.repo}`);
      const branch = options.decisionLogBranch === undefined ? {} : { branch: options.decisionLogBranch };
      return createRepositoryDecisionLog(createStateBranch(octokit, repo, branch), shared, undefined, log);
    },
    holdLogWrites: (repository) => holdLogWrites(sharedOf(repository)),
    untilActionsWritten: (repository) => untilUnheld(sharedOf(repository)),
  };
}
