/**
 * Applying environment texts as they arrive, one at a time in the order
 * asked for, from whichever source read them (the file, a URL, a git
 * remote). A text already served is not applied again; a bad one leaves the
 * current models serving, and the last outcome of each source is kept for
 * `reloadStatus()` and counted in the metrics.
 */
import type { Logger } from "pino";
import { ConfigError } from "../common/errors.js";
import { EnvironmentSpec } from "../config/environment.js";
import { parseConfigText } from "../config/load-yaml.js";
import type { ServerMetrics } from "./metrics.js";

/** Where an environment came from, and what became of it. */
export interface ReloadStatus {
  readonly source: "file" | "url" | "git";
  /** The file, URL, or `<remote>@<ref>:<path>`. */
  readonly name: string;
  readonly outcome: "applied" | "unchanged" | "failed";
  /** Why it failed, naming the source (and the line, for a bad file). */
  readonly message?: string;
  /** The commit read, for a git remote. */
  readonly commit?: string;
  readonly at: string;
}

/** An environment text as read: the name it is reported under, and the YAML. */
export interface EnvironmentText {
  readonly file: string;
  readonly text: string;
}

/** Where a reload reads from. */
export interface ReloadOrigin {
  readonly source: ReloadStatus["source"];
  readonly name: string;
  readonly commit?: string;
}

/** One reload: its origin, and how to read the text (null: nothing new). */
export interface ReloadRequest extends ReloadOrigin {
  readonly read: () => Promise<EnvironmentText | null>;
}

/** Settled: applied, already served, or invalid (retrying will not help). Retry: worth another try. */
export type ReloadResult = "settled" | "retry";

/** The serialised reloads of one server. */
export interface EnvironmentReloads {
  /** Queues a reload behind those asked for before it. */
  reload(request: ReloadRequest): Promise<ReloadResult>;
  /** Records an outcome that did not go through {@link EnvironmentReloads.reload} (a failed poll). */
  report(origin: ReloadOrigin, outcome: ReloadStatus["outcome"], error?: unknown): void;
  /** Marks `text` as the one served (the first environment, applied before any reload). */
  served(text: string): void;
  statuses(): readonly ReloadStatus[];
}

/** What the reloads need. */
export interface EnvironmentReloadPorts {
  readonly apply: (env: EnvironmentSpec) => Promise<void>;
  readonly metrics: ServerMetrics;
  readonly logger: Logger;
}

interface ReloadState {
  /** The last reload queued; the next one starts when it ends. */
  queue: Promise<unknown>;
  /** The text served now. */
  lastText: string | undefined;
  readonly statuses: Map<ReloadStatus["source"], ReloadStatus>;
}

function report(
  ports: EnvironmentReloadPorts,
  state: ReloadState,
  origin: ReloadOrigin,
  outcome: ReloadStatus["outcome"],
  error?: unknown,
): void {
  const message =
    error === undefined ? undefined : error instanceof Error ? error.message : JSON.stringify(error);
  state.statuses.set(origin.source, {
    source: origin.source,
    name: origin.name,
    outcome,
    ...(message === undefined ? {} : { message }),
    ...(origin.commit === undefined ? {} : { commit: origin.commit }),
    at: new Date().toISOString(),
  });
  if (outcome === "unchanged") return;
  ports.metrics.reloads.inc({ source: origin.source, outcome });
  if (outcome === "failed") {
    ports.logger.error(
      { err: error, source: origin.source, from: origin.name, commit: origin.commit },
      `environment from ${origin.name} not applied; the current models keep serving: ${message}`,
    );
  }
}

async function runReload(
  ports: EnvironmentReloadPorts,
  state: ReloadState,
  request: ReloadRequest,
): Promise<ReloadResult> {
  try {
    const source = await request.read();
    if (source === null || source.text === state.lastText) {
      report(ports, state, request, "unchanged");
      return "settled";
    }
    const parsed = parseConfigText(source.file, source.text, EnvironmentSpec);
    if (!parsed.ok) throw new ConfigError(parsed.issues);
    await ports.apply(parsed.config.value);
    state.lastText = source.text;
    report(ports, state, request, "applied");
    return "settled";
  } catch (error) {
    report(ports, state, request, "failed", error);
    // A bad file stays bad until it changes; anything else (a registry down) is worth another try.
    return error instanceof ConfigError ? "settled" : "retry";
  }
}

/** Creates the reload queue of one server. */
export function createEnvironmentReloads(ports: EnvironmentReloadPorts): EnvironmentReloads {
  const state: ReloadState = { queue: Promise.resolve(), lastText: undefined, statuses: new Map() };
  return {
    reload(request) {
      const run = state.queue.then(() => runReload(ports, state, request));
      state.queue = run;
      return run;
    },
    report: (origin, outcome, error) => report(ports, state, origin, outcome, error),
    served(text) {
      state.lastText = text;
    },
    statuses: () => [...state.statuses.values()],
  };
}
