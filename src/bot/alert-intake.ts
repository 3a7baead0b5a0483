/**
 * From an accepted alert to its handling: keep it in the journal (the 202
 * waits for that), find the app's installation on the repository the alert
 * names, resolve the environment once, and queue the work under that one
 * key, so two alerts for the same environment file — one naming it, one
 * relying on the default — never run at the same time. Critical alerts go
 * ahead of waiting ones; what only records the incident (decision log,
 * notes) runs after the action, outside the environment's turn. An entry
 * is marked done in the journal once all of it ran; on start, the entries
 * an earlier process left unfinished are queued again.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Probot } from "probot";
import { GitHubApiError } from "../common/errors.js";
import type { RepoPorts } from "../github/ports.js";
import { createRepoPorts, type OctokitLike } from "../github/rest-ports.js";
import type { AlertNotice } from "../operations/alert-notice.js";
import { handleNotice, type IncidentDeps } from "../operations/handle-incident.js";
import { openRepositoryContext, resolveEnvironmentName } from "../operations/repository-context.js";
import { noticeKey } from "./alert-payloads.js";
import { openAlertJournal, type AlertJournal, type JournalEntry } from "./alert-journal.js";
import type { BotRuntime } from "./bot-runtime.js";
import { createSeenKeys, type SeenKeys } from "./dedup.js";
import { asOctokitLike } from "./octokit-like.js";

function splitRepository(full: string): { owner: string; repo: string } | undefined {
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(full);
  return match ? { owner: match[1]!, repo: match[2]! } : undefined;
}

/** Finds (and remembers) the installation of the app on a repository, and its ports. */
function createInstallationLookup(app: Probot, runtime: BotRuntime) {
  const installations = new Map<string, number>();
  return async (repository: string): Promise<Pick<IncidentDeps, "ports" | "decisionLog">> => {
    const ref = splitRepository(repository);
    if (!ref)
      throw new GitHubApiError(`alert names repository ${JSON.stringify(repository)}; expected owner/name`);
    let id = installations.get(repository);
    if (id === undefined) {
      const appOctokit: OctokitLike = asOctokitLike(await app.auth());
      const res = await appOctokit.request("GET /repos/{owner}/{repo}/installation", ref);
      const data = res.data as { id?: unknown };
      if (typeof data.id !== "number") throw new GitHubApiError(`the app is not installed on ${repository}`);
      id = data.id;
      installations.set(repository, id);
    }
    const octokit = asOctokitLike(await app.auth(id));
    const ports: RepoPorts = createRepoPorts(octokit, ref);
    const decisionLog = runtime.decisionLogFor(octokit, ref);
    return { ports, ...(decisionLog === undefined ? {} : { decisionLog }) };
  };
}

/** The alert intake: the journal, the duplicate keys it seeds, and the acceptor the route calls. */
export interface AlertIntake {
  readonly journal: AlertJournal;
  readonly seen: SeenKeys;
  /** Journals the notices (resolves once they are on disk), then queues them. */
  accept(notices: readonly AlertNotice[]): Promise<void>;
}

/** Where one entry is handled: its repository's ports and the environment resolved for it. */
interface EntryTarget {
  readonly repository: string;
  readonly environment: string;
  readonly ports: Pick<IncidentDeps, "ports" | "decisionLog">;
}

/**
 * Handles one entry in its environment's turn; what only records the
 * incident runs afterwards in the repository's `#records` lane, and the
 * entry is marked done after that.
 */
async function handleEntry(
  runtime: BotRuntime,
  entry: JournalEntry,
  replayed: boolean,
  target: EntryTarget,
  finish: (entry: JournalEntry) => Promise<void>,
): Promise<void> {
  const later: (() => Promise<void>)[] = [];
  const { policy, memory, outcomes, now, log, queue } = runtime;
  const deps: IncidentDeps = {
    ...target.ports,
    policy,
    memory,
    outcomes,
    now,
    log,
    defer: (work) => void later.push(work),
    ...(replayed ? { replayed } : {}),
  };
  // The log's lines wait while the action's writes go out; the incident's decision is readable at once.
  // Only a firing notice acts; a resolved one writes its outcome line itself, and must not wait for it.
  const release =
    entry.notice.status === "firing" ? runtime.holdLogWrites(target.repository) : () => undefined;
  try {
    await handleNotice(deps, entry.notice, target.environment);
  } finally {
    release();
    queue.push(`${target.repository}#records`, async () => {
      try {
        // Behind any incident of the repository now writing its action, so they never share the write spacing.
        for (const work of later) {
          await runtime.untilActionsWritten(target.repository);
          await work();
        }
      } finally {
        await finish(entry);
      }
    });
  }
}

/** Opens the journal in the configured state directory, or in a fresh temporary one (with a warning). */
function openJournal(runtime: BotRuntime): AlertJournal {
  let dir = runtime.options.stateDir;
  if (dir === undefined) {
    dir = mkdtempSync(join(tmpdir(), "meta-controller-bot-"));
    runtime.log.warn(
      { stateDir: dir },
      "BOT_STATE_DIR is not set: alerts are journaled in a temporary directory that a restart does not find again",
    );
  }
  return openAlertJournal(dir, { nowMs: () => runtime.now().getTime() });
}

/**
 * Creates the intake and queues the entries an earlier process left
 * unfinished. Work goes through two queue stages: per repository, the
 * environment is resolved (the default comes from the repository's
 * settings); then per environment, the notice is handled. The first stage
 * hands over before it ends, so the queue is never idle in between.
 */
export function createAlertIntake(app: Probot, runtime: BotRuntime): AlertIntake {
  const { log, queue } = runtime;
  const journal = openJournal(runtime);
  const portsFor = createInstallationLookup(app, runtime);
  const finish = (entry: JournalEntry) =>
    journal.markDone(entry.id).catch((error: unknown) => {
      log.error({ err: error, id: entry.id }, "could not mark an alert done; it is replayed on restart");
    });

  const enqueue = (entry: JournalEntry, replayed: boolean) => {
    const { notice } = entry;
    const repository = notice.repository ?? runtime.options.defaultRepository;
    if (!repository) {
      log.warn(
        { fingerprint: notice.fingerprint },
        "alert names no repository and there is no default; dropped",
      );
      void finish(entry);
      return;
    }
    const urgent = notice.severity === "critical";
    queue.push(
      `${repository}#resolve`,
      async () => {
        let target: Pick<IncidentDeps, "ports" | "decisionLog">;
        let environment: string;
        try {
          target = await portsFor(repository);
          environment =
            notice.environment ??
            resolveEnvironmentName(undefined, (await openRepositoryContext(target.ports)).config);
        } catch (error) {
          await finish(entry);
          throw error;
        }
        queue.push(
          `${repository}#${environment}`,
          () => handleEntry(runtime, entry, replayed, { repository, environment, ports: target }, finish),
          {
            urgent,
          },
        );
      },
      { urgent },
    );
  };

  const seen = createSeenKeys(undefined, undefined, journal.seen);
  if (journal.unfinished.length > 0)
    log.info({ entries: journal.unfinished.length, stateDir: journal.dir }, "replaying unfinished alerts");
  for (const entry of journal.unfinished) enqueue(entry, true);

  return {
    journal,
    seen,
    async accept(notices) {
      const at = runtime.now().getTime();
      const entries = notices.map((notice): JournalEntry => ({
        id: randomUUID(),
        key: noticeKey(notice),
        at,
        notice,
      }));
      await journal.append(entries);
      for (const entry of entries) enqueue(entry, false);
    },
  };
}
