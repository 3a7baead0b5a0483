/**
 * Starts the model server: reads the environment file, loads and warms its
 * models, listens, and keeps following the file (and optionally a URL or a
 * git remote) so a merged pull request reaches it without a restart. `close()` drains:
 * readiness turns false, no new connection is accepted, in-flight requests
 * finish, queued events are flushed, then the sessions are released.
 */
import type { Logger } from "pino";
import { sleepUnref } from "../common/http/backoff.js";
import { createRandom } from "../common/random.js";
import type { EnvironmentSpec } from "../config/environment.js";
import type { ModelRegistry } from "../registry/model-registry.js";
import { openConfiguredRegistry } from "../registry/open-registry.js";
import { createEnvironmentReloads, type ReloadStatus } from "./environment-reloads.js";
import { openEnvironmentSources, type ServeGitOptions } from "./environment-source.js";
import { createEventSender, type EventSender } from "./event-sender.js";
import { createFeedbackStore } from "./feedback.js";
import { createRequestHandler, DEFAULT_MAX_BODY_BYTES } from "./http-handler.js";
import { createServerMetrics, publishRolloutGauges, type ServerMetrics } from "./metrics.js";
import { loadModelSlot } from "./model-slot.js";
import { createRolloutController, type RolloutController } from "./rollout-controller.js";
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
    { root: options.root },
  ).registry;
}

/** The parts of a server, wired together but not started. */
function assembleServer(options: ServeOptions) {
  const { logger } = options;
  const events = createEventSender({
    url: options.eventsUrl ?? "",
    ...(options.eventsToken === undefined ? {} : { token: options.eventsToken }),
    ...(options.eventsHmacSecret === undefined ? {} : { hmacSecret: options.eventsHmacSecret }),
    logger,
  });
  const registry: RegistryChoice = { for: undefined, registry: openRegistry(options, undefined) };
  const controller: RolloutController = createRolloutController({
    loadModel: (ref) => loadModelSlot(registry.registry, ref),
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
  const http = createHttpLifecycle(
    createRequestHandler({
      controller,
      metrics,
      feedback: createFeedbackStore(),
      logger,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      ...(options.adminToken === undefined ? {} : { adminToken: options.adminToken }),
      isReady: () => http.isReady(),
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
      metrics.loadFailures.inc({ model: env.model });
      throw error;
    }
    publishRolloutGauges(metrics, controller.current());
    const d = controller.current();
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
  const reloads = createEnvironmentReloads({ apply, metrics, logger });
  return { events, controller, metrics, http, apply, reloads };
}

/** Starts the server; resolves once it listens and its models are loaded and warm. */
export async function startModelServer(options: ServeOptions): Promise<RunningServer> {
  const { events, controller, metrics, http, apply, reloads } = assembleServer(options);
  const sources = await openEnvironmentSources(options, reloads);
  let bound: { url: string; port: number };
  try {
    const first = await sources.readFirst();
    bound = await http.listen(options.port, options.host);
    try {
      await apply(first.env);
    } catch (error) {
      await http.close();
      throw error;
    }
    reloads.served(first.text);
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
    close() {
      closing ??= (async () => {
        http.state.draining = true;
        sources.stop();
        clearInterval(ticker);
        await http.drain(options.drainTimeoutMs ?? 30_000);
        await Promise.race([events.flush(), sleepUnref(5_000)]);
        controller.close();
        await sources.close();
      })();
      return closing;
    },
  };
}
