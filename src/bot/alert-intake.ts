/**
 * From an accepted alert to its handling: find the app's installation on
 * the repository the alert names, resolve the environment once, and queue
 * the work under that one key, so two alerts for the same environment file
 * — one naming it, one relying on the default — never run at the same time.
 */
import type { Probot } from "probot";
import { GitHubApiError } from "../common/errors.js";
import type { RepoPorts } from "../github/ports.js";
import { createRepoPorts, type OctokitLike } from "../github/rest-ports.js";
import type { AlertNotice } from "../operations/alert-notice.js";
import { handleNotice, type IncidentDeps } from "../operations/handle-incident.js";
import { openRepositoryContext, resolveEnvironmentName } from "../operations/repository-context.js";
import type { BotRuntime } from "./bot-runtime.js";
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

/**
 * The function the alert route calls for each accepted notice. Work goes
 * through two queue stages: per repository, the environment is resolved
 * (the default comes from the repository's settings); then per
 * environment, the notice is handled. The first stage hands over before it
 * ends, so the queue is never idle in between.
 */
export function createAlertAcceptor(app: Probot, runtime: BotRuntime): (notice: AlertNotice) => void {
  const { log, queue } = runtime;
  const portsFor = createInstallationLookup(app, runtime);
  return (notice) => {
    const repository = notice.repository ?? runtime.options.defaultRepository;
    if (!repository) {
      log.warn(
        { fingerprint: notice.fingerprint },
        "alert names no repository and there is no default; dropped",
      );
      return;
    }
    queue.push(`${repository}#resolve`, async () => {
      const target = await portsFor(repository);
      const environment =
        notice.environment ??
        resolveEnvironmentName(undefined, (await openRepositoryContext(target.ports)).config);
      queue.push(`${repository}#${environment}`, async () => {
        const { policy, memory, outcomes, now } = runtime;
        await handleNotice({ ...target, policy, memory, outcomes, now, log }, notice, environment);
      });
    });
  };
}
