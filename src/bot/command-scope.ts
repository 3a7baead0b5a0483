/**
 * A command in the making: the request as the webhook gave it, the
 * repository it runs in, and the permission check every command shares.
 */
import type { Logger } from "../common/logger.js";
import { meetsLevel, type PermissionLevel } from "../config/environment.js";
import type { IncidentOutcomeEvent } from "../decision/incident-policy.js";
import type { RepoPorts } from "../github/ports.js";
import type { EnvironmentFile } from "../operations/desired-state.js";
import { OperationRefusal } from "../operations/environment-files.js";
import type { IncidentMemory } from "../operations/incident-memory.js";
import type { RepositoryContext } from "../operations/repository-context.js";
import type { CardSummarySource, ModelCardSource } from "./card-summary.js";
import type { BotCommand } from "./commands.js";

/** Where a command was written and by whom. */
export interface CommandRequest {
  readonly ports: RepoPorts;
  readonly issueNumber: number;
  readonly isPullRequest: boolean;
  readonly commenter: string;
  readonly command: BotCommand;
  readonly memory: IncidentMemory;
  readonly cardSummary: CardSummarySource | undefined;
  /** The registry's cards: a bare `/deploy` ships a reported model only when the registry holds it. */
  readonly modelCards: ModelCardSource | undefined;
  /** Logins whose comments carry the Action's report (`REPORT_AUTHORS`). */
  readonly reportAuthors: readonly string[];
  readonly log: Logger;
  /** Logs a person's verdict on an automated action (the decision engine learns from it). */
  readonly recordOutcome?: (outcome: Omit<IncidentOutcomeEvent, "at">) => Promise<void>;
}

/** A command with the repository it runs in. */
export interface CommandScope {
  readonly request: CommandRequest;
  readonly repo: RepositoryContext;
  /** Loads the named environment, or the repository's default. */
  environment(name: string | undefined): Promise<EnvironmentFile>;
}

/** Refuses unless the commenter has `required`; returns the commenter's level. */
export async function requireLevel(
  request: CommandRequest,
  required: PermissionLevel,
  what: string,
): Promise<PermissionLevel | "none"> {
  const level = await request.ports.permissions.levelOf(request.commenter);
  if (!meetsLevel(level, required)) {
    throw new OperationRefusal(
      `@${request.commenter} has \`${level}\` permission; ${what} needs \`${required}\` or higher. Nothing was changed.`,
    );
  }
  return level;
}
