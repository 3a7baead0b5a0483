/**
 * Starts the model server: reads the environment file, loads and warms its
 * models, listens, and keeps following the file (and optionally a URL or a
 * git remote) so a merged pull request reaches it without a restart. `close()` drains:
 * readiness turns false, no new connection is accepted, in-flight requests
 * finish, queued events are flushed, then the sessions are released.
 *
 * With a state folder, what the server must not forget survives `kill -9`:
 * the rollout (rollout-store.ts), the last-good stable model
 * (last-good-cache.ts) and the events not yet acknowledged (event-outbox.ts).
 * A stable that cannot be loaded at start never stops the server: it serves
 * the cached last-good model, or nothing (not ready), and says it is
 * degraded (degraded.ts) until an environment applies in full.
 */
import type { Logger } from "pino";
import { sleepUnref } from "../common/http/backoff.js";
import { createRandom } from "../common/random.js";
import type { EnvironmentSpec } from "../config/environment.js";
import type { ServerEvent } from "../deploy/events.js";
import type { ModelRegistry, PulledModel } from "../registry/model-registry.js";
import { openConfiguredRegistry } from "../registry/open-registry.js";
import { parseModelReference } from "../registry/reference.js";
import { buildDegradedState, markEventDegraded, type DegradedState } from "./degraded.js";
import { createEnvironmentReloads, type ReloadStatus } from "./environment-reloads.js";
import { openEnvironmentSources, type ServeGitOptions } from "./environment-source.js";
import { openEventOutbox } from "./event-outbox.js";
import { createEventSender, type EventSender } from "./event-sender.js";
import { checkEventsUrl } from "./events-url.js";
import { createFeedbackStore } from "./feedback.js";
import { createRequestHandler, DEFAULT_MAX_BODY_BYTES } from "./http-handler.js";
import { openLastGoodCache, type LastGoodCache } from "./last-good-cache.js";
import { createServerMetrics, publishRolloutGauges, type ServerMetrics } from "./metrics.js";
import { openModelSlot, type ModelSlot } from "./model-slot.js";
import { createRolloutController, type RolloutController } from "./rollout-controller.js";
import { openRolloutStore } from "./rollout-store.js";
import { FEEDBACK_OFF } from "./routes/feedback-route.js";
import { createHttpLifecycle } from "./server-lifecycle.js";

export type { ReloadStatus } from "./environment-reloads.js";
export type { ServeGitOptions } from "./environment-source.js";

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
  /** Bearer token for `POST /v1/feedback`; without it the route answers 403. */
  readonly feedbackToken?: string;
  /**
   * This server's own state folder (rollout, last-good model, event outbox),
   * kept across restarts; without it all of that lives in memory only.
   */
  readonly stateDir?: string;
  readonly repository?: string;
  /** Seed of the traffic split's PRNG. */
  readonly seed?: number;
  readonly drainTimeoutMs?: number;
  readonly logger: Logger;
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
  /** Why the server is degraded, or null. */
  degraded(): DegradedState | null;
  /** Drains and stops. */
  close(): Promise<void>;
}

/**
 * Which registry models are loaded from: the `--registry` option, else the
 * environment's own `registry`, reopened only when the environment names
 * another one.
 */
interface RegistryChoice {
  for: string | undefined;
  registry: ModelRegistry;
}

function openRegistry(options: ServeOptions, envRegistry: string | undefined): ModelRegistry {
  const registry = options.registry ?? envRegistry;
  return openConfiguredRegistry(
    { ...(registry === undefined ? {} : { registry }), insecure: options.insecure === true },
    { root: options.root, logger: options.logger },
  ).registry;
}

/**
 * Models pulled during the apply running now, by digest, so the stable one
 * can be copied to the last-good cache once the apply succeeds.
 */
type RecentPulls = Map<string, PulledModel>;

/**
 * Loads `ref` from the registry; when the pull fails and the last-good cache
 * holds that very digest, from the cache (a registry down at start).
 */
async function loadWithCache(
  registry: ModelRegistry,
  cache: LastGoodCache | undefined,
  ref: string,
  recent: RecentPulls,
): Promise<ModelSlot> {
  let pulled: PulledModel;
  try {
    pulled = await registry.pull(parseModelReference(ref));
  } catch (error) {
    const digest = ref.includes("@") ? ref.slice(ref.indexOf("@") + 1) : undefined;
    if (digest === undefined || cache?.digest() !== digest) throw error;
    let cached: ReturnType<LastGoodCache["load"]>;
    try {
      cached = cache.load();
    } catch {
      // A damaged cache changes nothing: the registry's failure is the one to report.
      throw error;
    }
    if (cached === undefined) throw error;
    pulled = cached.pulled;
  }
  const slot = await openModelSlot(pulled, ref);
  recent.set(slot.digest, pulled);
  return slot;
}

/** Copies the stable model just applied into the last-good cache (a failure is logged, not fatal). */
function rememberLastGood(
  cache: LastGoodCache | undefined,
  digest: string | undefined,
  recent: RecentPulls,
  logger: Logger,
): void {
  const pulled = digest === undefined ? undefined : recent.get(digest);
  recent.clear();
  if (cache === undefined || pulled === undefined || cache.digest() === digest) return;
  try {
    cache.save(pulled);
  } catch (error) {
    logger.error({ err: error, dir: cache.dir }, "the last-good model could not be cached");
  }
}

/** What survives a restart, opened from the state folder (all absent without one). */
function openState(options: ServeOptions) {
  const { stateDir, logger } = options;
  if (stateDir === undefined) return { cache: undefined, store: undefined, outbox: undefined };
  return {
    cache: openLastGoodCache(stateDir),
    store: openRolloutStore(stateDir, logger),
    outbox: openEventOutbox(stateDir, logger),
  };
}

/**
 * Events raised while the first environment is applied are held, so the
 * `model.load_failed` of a stable that fails at start goes out once, saying
 * what is served instead.
 */
interface EventGate {
  held: ServerEvent[] | null;
}

/** Whether `event` is the load failure of the stable a degraded server is retrying. */
function isRepeatedFailure(degraded: DegradedState | null, event: ServerEvent): boolean {
  if (degraded === null || event.type !== "model.load_failed") return false;
  return (
    degraded.wanted.endsWith(`@${event.digests.at_fault ?? "-"}`) ||
    degraded.wanted === event.digests.at_fault
  );
}

/** What {@link degradeStart} changes. */
interface DegradeParts {
  readonly controller: RolloutController;
  readonly metrics: ServerMetrics;
  readonly http: ReturnType<typeof createHttpLifecycle>;
  readonly cache: LastGoodCache | undefined;
  readonly recent: RecentPulls;
  readonly condition: { degraded: DegradedState | null };
  readonly logger: Logger;
}

/** The first environment's stable failed: serve the cached last-good model, or nothing; never throws. */
async function degradeStart(parts: DegradeParts, env: EnvironmentSpec, error: unknown): Promise<void> {
  const { controller, metrics, http, cache, logger } = parts;
  let serving: string | null = null;
  try {
    const cached = cache?.load();
    if (cached !== undefined && cached.pulled.name === env.model) {
      await controller.apply({ ...env, stable: cached.ref, candidate: null }, { persist: false });
      serving = cached.ref;
    }
  } catch (cacheError) {
    logger.error({ err: cacheError }, "the cached last-good model could not be served either");
  }
  parts.recent.clear();
  const state = buildDegradedState(env.stable ?? "(none)", error, serving, new Date());
  parts.condition.degraded = state;
  metrics.degraded.set({ environment: env.name }, 1);
  publishRolloutGauges(metrics, controller.current());
  http.state.ready = serving !== null;
  logger.error({ err: error, environment: env.name }, `degraded: ${state.reason}`);
}

/** The parts of a server, wired together but not started. */
function assembleServer(options: ServeOptions) {
  const { logger } = options;
  const { cache, store, outbox } = openState(options);
  const events = createEventSender({
    url: options.eventsUrl ?? "",
    ...(options.eventsToken === undefined ? {} : { token: options.eventsToken }),
    ...(options.eventsHmacSecret === undefined ? {} : { hmacSecret: options.eventsHmacSecret }),
    ...(outbox === undefined ? {} : { outbox }),
    logger,
  });
  const registry: RegistryChoice = { for: undefined, registry: openRegistry(options, undefined) };
  const recent: RecentPulls = new Map();
  const gate: EventGate = { held: [] };
  const condition: { degraded: DegradedState | null } = { degraded: null };
  const controller: RolloutController = createRolloutController({
    loadModel: (ref) => loadWithCache(registry.registry, cache, ref, recent),
    emit: (event) => {
      metrics.events.inc({ type: event.type });
      // While degraded, the stable that failed at start is retried; its failure was reported once.
      if (isRepeatedFailure(condition.degraded, event)) return;
      if (gate.held !== null) gate.held.push(event);
      else events.send(event);
    },
    now: () => Date.now(),
    random: createRandom(options.seed ?? 1),
    logger,
    ...(options.repository === undefined ? {} : { repository: options.repository }),
    ...(store === undefined ? {} : { rolloutStore: store }),
  });
  const metrics = createServerMetrics(
    () => controller.exported(),
    options.predictionBuckets === undefined ? {} : { predictionBuckets: options.predictionBuckets },
  );
  const http = createHttpLifecycle(
    createRequestHandler({
      controller,
      metrics,
      feedback: createFeedbackStore(),
      logger,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      ...(options.adminToken === undefined ? {} : { adminToken: options.adminToken }),
      ...(options.feedbackToken === undefined ? {} : { feedbackToken: options.feedbackToken }),
      isReady: () => http.isReady(),
      degraded: () => condition.degraded,
    }),
  );
  /** Loads what `env` names and swaps it in; the server is ready once a model serves. */
  async function apply(env: EnvironmentSpec): Promise<void> {
    if (env.registry !== registry.for) {
      registry.for = env.registry;
      registry.registry = openRegistry(options, env.registry);
    }
    try {
      await controller.apply(env);
    } catch (error) {
      recent.clear();
      metrics.loadFailures.inc({ model: env.model });
      throw error;
    }
    const d = controller.current();
    rememberLastGood(cache, d?.stable?.slot.digest, recent, logger);
    if (condition.degraded !== null) {
      logger.info({ environment: env.name }, "the environment applied in full; no longer degraded");
      condition.degraded = null;
    }
    metrics.degraded.set({ environment: env.name }, 0);
    publishRolloutGauges(metrics, d);
    http.state.ready = d !== null && (d.stable !== null || d.candidate !== null);
    logger.info(
      {
        environment: env.name,
        stable: d?.stable?.slot.version ?? null,
        candidate: d?.candidate?.slot.version ?? null,
      },
      "environment applied",
    );
  }
  /** Releases the events held during the first apply, marked with the degraded condition if any. */
  function openGate(): void {
    const held = gate.held ?? [];
    gate.held = null;
    const state = condition.degraded;
    for (const event of held) events.send(state === null ? event : markEventDegraded(event, state));
  }
  const reloads = createEnvironmentReloads({ apply, metrics, logger });
  const degrade = (env: EnvironmentSpec, error: unknown) =>
    degradeStart({ controller, metrics, http, cache, recent, condition, logger }, env, error);
  return { events, controller, metrics, http, apply, degrade, openGate, condition, reloads };
}

/** Starts the server; resolves once it listens and its models are loaded and warm (or it is degraded). */
export async function startModelServer(options: ServeOptions): Promise<RunningServer> {
  // Before anything opens a connection: a token must not go over plain http to another host.
  if (options.eventsUrl !== undefined) checkEventsUrl(options.eventsUrl);
  if (options.feedbackToken === undefined) options.logger.warn(FEEDBACK_OFF);
  const server = assembleServer(options);
  const { events, controller, metrics, http, reloads, condition } = server;
  const sources = await openEnvironmentSources(options, reloads);
  let bound: { url: string; port: number };
  try {
    const first = await sources.readFirst();
    bound = await http.listen(options.port, options.host);
    try {
      await server.apply(first.env);
      reloads.served(first.text);
    } catch (error) {
      // A stable that will not load must not stop the server: it serves what it can, and retries below.
      await server.degrade(first.env, error);
    }
    server.openGate();
  } catch (error) {
    await sources.close();
    throw error;
  }
  sources.follow();
  const tickMs = Math.max(50, Math.min(1000, (controller.current()?.intervalMs ?? 4000) / 4));
  const ticker = setInterval(() => {
    controller.tick();
    publishRolloutGauges(metrics, controller.current());
  }, tickMs);
  // While degraded, the file is read again now and then: a registry back up ends it without a change.
  const retry = setInterval(() => {
    if (condition.degraded !== null) void sources.reloadFile();
  }, options.pollIntervalMs ?? 30_000);

  let closing: Promise<void> | null = null;
  return {
    url: bound.url,
    port: bound.port,
    controller,
    metrics,
    events,
    reload: async () => {
      await sources.reloadFile();
    },
    pollGit: () => sources.pollGit(),
    reloadStatus: () => reloads.statuses(),
    degraded: () => condition.degraded,
    close() {
      closing ??= (async () => {
        http.state.draining = true;
        sources.stop();
        clearInterval(ticker);
        clearInterval(retry);
        await http.drain(options.drainTimeoutMs ?? 30_000);
        await Promise.race([events.flush(), sleepUnref(5_000)]);
        controller.close();
        await sources.close();
      })();
      return closing;
    },
  };
}
