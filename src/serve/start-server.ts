/**
 * Starts the model server: reads the environment file, loads and warms its
 * models, listens, and keeps following the file (and optionally a URL or a
 * git remote) so a merged pull request reaches it without a restart. `close()` drains:
 * readiness turns false, no new connection is accepted, in-flight requests
 * finish, queued events are flushed, then the sessions are released.
 */
import { existsSync, watchFile, unwatchFile } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
import { ConfigError } from "../common/errors.js";
import { createRandom } from "../common/random.js";
import { EnvironmentSpec } from "../config/environment.js";
import { loadConfigFile, parseConfigText } from "../config/load-yaml.js";
import { openConfiguredRegistry } from "../registry/open-registry.js";
import { createRolloutController, type RolloutController } from "./rollout-controller.js";
import { createEventSender, type EventSender } from "./event-sender.js";
import { createFeedbackStore } from "./feedback.js";
import { openGitSource, type GitSource } from "./git-source.js";
import { createRequestHandler, DEFAULT_MAX_BODY_BYTES } from "./http-handler.js";
import { createServerMetrics, type ServerMetrics } from "./metrics.js";
import { loadModelSlot } from "./model-slot.js";

/** Everything `serve` takes. */
export interface ServeOptions {
  readonly envFile: string;
  readonly root: string;
  readonly port: number;
  readonly host: string;
  /** Overrides the environment's `registry`. */
  readonly registry?: string;
  readonly insecure?: boolean;
  readonly eventsUrl?: string;
  readonly eventsToken?: string;
  readonly eventsHmacSecret?: string;
  /** A URL serving the environment YAML, polled for changes. */
  readonly pollUrl?: string;
  /** A git remote whose ref holds the environment file, polled for changes. */
  readonly git?: ServeGitOptions;
  /** Time between polls of the URL and the git remote (default 30 s). */
  readonly pollIntervalMs?: number;
  /** How often the environment file's stat is checked. */
  readonly watchIntervalMs?: number;
  readonly maxBodyBytes?: number;
  /** Buckets of the regression prediction histogram (default: ±1, 2, 5 × 10^k). */
  readonly predictionBuckets?: readonly number[];
  readonly adminToken?: string;
  readonly repository?: string;
  /** Seed of the traffic split's PRNG. */
  readonly seed?: number;
  readonly drainTimeoutMs?: number;
  readonly logger: Logger;
}

/** The git remote `serve` follows. */
export interface ServeGitOptions {
  /** Any URL or path `git fetch` accepts. */
  readonly remote: string;
  /** Branch, tag or ref (default `main`). */
  readonly ref?: string;
  /** Path of the environment file in the repository, `/`-separated. */
  readonly path: string;
  /** The private bare repository; a temporary folder, removed at close, when absent. */
  readonly cacheDir?: string;
  /** Longest one git command may run (default 60 s). */
  readonly timeoutMs?: number;
}

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

/** A running server. */
export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly controller: RolloutController;
  readonly metrics: ServerMetrics;
  readonly events: EventSender;
  /** Re-reads the environment file now. */
  reload(): Promise<void>;
  /** Polls the git remote now (resolves at once without `git`). */
  pollGit(): Promise<void>;
  /** The last reload attempt of each source. */
  reloadStatus(): readonly ReloadStatus[];
  /** Drains and stops. */
  close(): Promise<void>;
}

/** Starts the server; resolves once it listens and its models are loaded and warm. */
export async function startModelServer(options: ServeOptions): Promise<RunningServer> {
  const { logger } = options;
  const events = createEventSender({
    url: options.eventsUrl ?? "",
    ...(options.eventsToken === undefined ? {} : { token: options.eventsToken }),
    ...(options.eventsHmacSecret === undefined ? {} : { hmacSecret: options.eventsHmacSecret }),
    logger,
  });
  const openRegistry = (envRegistry: string | undefined) =>
    openConfiguredRegistry(
      {
        ...((options.registry ?? envRegistry) === undefined
          ? {}
          : { registry: (options.registry ?? envRegistry)! }),
        insecure: options.insecure === true,
      },
      { root: options.root },
    ).registry;
  let registryFor: string | undefined;
  let registry = openRegistry(undefined);
  const controller = createRolloutController({
    loadModel: (ref) => loadModelSlot(registry, ref),
    emit: (event) => {
      metrics.events.inc({ type: event.type });
      events.send(event);
    },
    now: () => Date.now(),
    random: createRandom(options.seed ?? 1),
    logger,
    ...(options.repository === undefined ? {} : { repository: options.repository }),
  });
  const metrics = createServerMetrics(
    () => controller.exported(),
    options.predictionBuckets === undefined ? {} : { predictionBuckets: options.predictionBuckets },
  );
  let ready = false;
  let draining = false;
  let inFlight = 0;
  let drained: (() => void) | null = null;

  const handle = createRequestHandler({
    controller,
    metrics,
    feedback: createFeedbackStore(),
    logger,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    ...(options.adminToken === undefined ? {} : { adminToken: options.adminToken }),
    isReady: () => ready && !draining,
  });
  const server: Server = createServer({ keepAlive: true }, (req, res) => {
    inFlight++;
    res.once("close", () => {
      inFlight--;
      if (inFlight === 0 && drained !== null) drained();
    });
    handle(req, res);
  });
  server.keepAliveTimeout = 5_000;
  // A client that never finishes its headers or body cannot hold a socket forever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  function publishGauges(): void {
    const d = controller.current();
    if (d === null) return;
    const { env, rollout } = d;
    metrics.weight.reset();
    metrics.modelInfo.reset();
    for (const [role, served] of [
      ["stable", d.stable],
      ["candidate", d.candidate],
    ] as const) {
      if (served === null) continue;
      const share =
        role === "candidate"
          ? rollout.candidateWeight / 100
          : d.candidate === null
            ? 1
            : 1 - rollout.candidateWeight / 100;
      metrics.weight.set({ model: served.slot.name, version: served.slot.version, role }, share);
      metrics.modelInfo.set(
        { model: served.slot.name, version: served.slot.version, digest: served.slot.digest, role },
        1,
      );
    }
    for (const state of ["idle", "progressing", "completed", "aborted"] as const) {
      metrics.rolloutState.set(
        { environment: env.name, model: env.model, state },
        rollout.phase === state ? 1 : 0,
      );
    }
    metrics.rolloutStep.set({ environment: env.name, model: env.model }, rollout.step);
    metrics.failedChecks.set({ environment: env.name, model: env.model }, rollout.failedChecks);
  }

  async function apply(env: EnvironmentSpec): Promise<void> {
    if (env.registry !== registryFor) {
      registryFor = env.registry;
      registry = openRegistry(env.registry);
    }
    try {
      await controller.apply(env);
    } catch (error) {
      metrics.loadFailures.inc({ model: env.model });
      throw error;
    }
    publishGauges();
    const d = controller.current();
    ready = d !== null && (d.stable !== null || d.candidate !== null);
    logger.info(
      {
        environment: env.name,
        stable: d?.stable?.slot.version ?? null,
        candidate: d?.candidate?.slot.version ?? null,
      },
      "environment applied",
    );
  }

  // Reloads run one at a time, in the order they were asked for.
  let queue: Promise<unknown> = Promise.resolve();
  let lastText: string | undefined;
  const statuses = new Map<ReloadStatus["source"], ReloadStatus>();
  interface ReloadRequest {
    readonly source: ReloadStatus["source"];
    readonly name: string;
    readonly commit?: string;
    readonly read: () => Promise<{ file: string; text: string } | null>;
  }
  function report(
    request: Omit<ReloadRequest, "read">,
    outcome: ReloadStatus["outcome"],
    error?: unknown,
  ): void {
    const message =
      error === undefined ? undefined : error instanceof Error ? error.message : JSON.stringify(error);
    statuses.set(request.source, {
      source: request.source,
      name: request.name,
      outcome,
      ...(message === undefined ? {} : { message }),
      ...(request.commit === undefined ? {} : { commit: request.commit }),
      at: new Date().toISOString(),
    });
    if (outcome === "unchanged") return;
    metrics.reloads.inc({ source: request.source, outcome });
    if (outcome === "failed") {
      logger.error(
        { err: error, source: request.source, from: request.name, commit: request.commit },
        `environment from ${request.name} not applied; the current models keep serving: ${message}`,
      );
    }
  }
  /** Resolves to "settled" when the text was applied, already served or invalid; "retry" otherwise. */
  function reloadFrom(request: ReloadRequest): Promise<"settled" | "retry"> {
    const run = queue.then(async (): Promise<"settled" | "retry"> => {
      try {
        const source = await request.read();
        if (source === null || source.text === lastText) {
          report(request, "unchanged");
          return "settled";
        }
        const parsed = parseConfigText(source.file, source.text, EnvironmentSpec);
        if (!parsed.ok) throw new ConfigError(parsed.issues);
        await apply(parsed.config.value);
        lastText = source.text;
        report(request, "applied");
        return "settled";
      } catch (error) {
        report(request, "failed", error);
        // A bad file stays bad until it changes; anything else (a registry down) is worth another try.
        return error instanceof ConfigError ? "settled" : "retry";
      }
    });
    queue = run;
    return run;
  }
  const readFile = async (): Promise<{ file: string; text: string }> => {
    const { readFile: read } = await import("node:fs/promises");
    return { file: options.envFile, text: await read(options.envFile, "utf8") };
  };
  const reloadFile = (): Promise<unknown> =>
    reloadFrom({ source: "file", name: options.envFile, read: readFile });

  // The git remote: its own private cache, and a stop signal for a fetch still running at close.
  const stopGit = new AbortController();
  let git: GitSource | null = null;
  let gitCacheCreated: string | null = null;
  /** Blob last applied, or last refused as invalid: the same blob is not read twice. */
  let gitSettledBlob: string | undefined;
  let gitPolling: Promise<void> | null = null;
  function pollGit(): Promise<void> {
    const source = git;
    if (source === null) return Promise.resolve();
    gitPolling ??= (async () => {
      const base = { source: "git" as const, name: source.name };
      try {
        const snapshot = await source.fetchSnapshot();
        if (snapshot.blob === gitSettledBlob) {
          report({ ...base, commit: snapshot.commit }, "unchanged");
          return;
        }
        const outcome = await reloadFrom({
          ...base,
          commit: snapshot.commit,
          read: async () => ({ file: snapshot.file, text: await source.readBlob(snapshot) }),
        });
        if (outcome === "settled") gitSettledBlob = snapshot.blob;
      } catch (error) {
        if (!stopGit.signal.aborted) report(base, "failed", error);
      }
    })().finally(() => (gitPolling = null));
    return gitPolling;
  }
  if (options.git !== undefined) {
    const cacheDir = options.git.cacheDir ?? (gitCacheCreated = await mkdtemp(join(tmpdir(), "mc-git-")));
    git = await openGitSource({
      remote: options.git.remote,
      ref: options.git.ref ?? "main",
      path: options.git.path,
      cacheDir,
      ...(options.git.timeoutMs === undefined ? {} : { timeoutMs: options.git.timeoutMs }),
      signal: stopGit.signal,
    });
  }

  const removeGitCache = async (): Promise<void> => {
    if (gitCacheCreated !== null) await rm(gitCacheCreated, { recursive: true, force: true });
  };
  // Without a local copy, the first environment comes from the git remote itself.
  let first: { env: EnvironmentSpec; text: string };
  try {
    if (git !== null && !existsSync(options.envFile)) {
      const snapshot = await git.fetchSnapshot();
      const text = await git.readBlob(snapshot);
      const parsed = parseConfigText(snapshot.file, text, EnvironmentSpec);
      if (!parsed.ok) throw new ConfigError(parsed.issues);
      first = { env: parsed.config.value, text };
      gitSettledBlob = snapshot.blob;
    } else {
      const loaded = await loadConfigFile(options.envFile, EnvironmentSpec);
      first = { env: loaded.value, text: (await readFile()).text };
    }
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.host, () => resolve());
    });
  } catch (error) {
    await removeGitCache();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  try {
    await apply(first.env);
    lastText = first.text;
  } catch (error) {
    await new Promise<void>((r) => server.close(() => r()));
    await removeGitCache();
    throw error;
  }

  const watchMs = options.watchIntervalMs ?? 500;
  const onChange = (): void => void reloadFile();
  watchFile(options.envFile, { interval: watchMs, persistent: false }, onChange);
  const timers: NodeJS.Timeout[] = [];
  const tickMs = Math.max(50, Math.min(1000, (controller.current()?.intervalMs ?? 4000) / 4));
  timers.push(
    setInterval(() => {
      controller.tick();
      publishGauges();
    }, tickMs),
  );
  const pollMs = options.pollIntervalMs ?? 30_000;
  if (options.pollUrl !== undefined) {
    const pollUrl = options.pollUrl;
    timers.push(
      setInterval(() => {
        void reloadFrom({
          source: "url",
          name: pollUrl,
          read: async () => {
            const response = await fetch(pollUrl, { signal: AbortSignal.timeout(10_000) });
            if (!response.ok) throw new Error(`GET ${pollUrl}: HTTP ${response.status}`);
            return { file: pollUrl, text: await response.text() };
          },
        });
      }, pollMs),
    );
  }
  if (git !== null) {
    // The first poll right away: a local copy may be older than the remote.
    void pollGit();
    timers.push(setInterval(() => void pollGit(), pollMs));
  }

  let closing: Promise<void> | null = null;
  return {
    url,
    port: address.port,
    controller,
    metrics,
    events,
    reload: async () => {
      await reloadFile();
    },
    pollGit,
    reloadStatus: () => [...statuses.values()],
    close() {
      closing ??= (async () => {
        draining = true;
        unwatchFile(options.envFile, onChange);
        for (const t of timers) clearInterval(t);
        stopGit.abort();
        const closed = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        if (inFlight > 0) {
          await Promise.race([
            new Promise<void>((r) => (drained = r)),
            new Promise<void>((r) => setTimeout(r, options.drainTimeoutMs ?? 30_000).unref()),
          ]);
        }
        server.closeAllConnections();
        await closed;
        await Promise.race([events.flush(), new Promise<void>((r) => setTimeout(r, 5_000).unref())]);
        controller.close();
        await gitPolling?.catch(() => undefined);
        await removeGitCache();
      })();
      return closing;
    },
  };
}
