/**
 * Starts the model server: reads the environment file, loads and warms its
 * models, listens, and keeps following the file (and optionally a URL) so a
 * merged pull request reaches it without a restart. `close()` drains:
 * readiness turns false, no new connection is accepted, in-flight requests
 * finish, queued events are flushed, then the sessions are released.
 */
import { watchFile, unwatchFile } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { ConfigError } from "../common/errors.js";
import { createRandom } from "../common/random.js";
import { EnvironmentSpec } from "../config/environment.js";
import { loadConfigFile, parseConfigText } from "../config/load-yaml.js";
import { openConfiguredRegistry } from "../registry/open-registry.js";
import { createDeploymentController, type DeploymentController } from "./deployment.js";
import { createEventSender, type EventSender } from "./event-sender.js";
import { createFeedbackStore } from "./feedback.js";
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
  readonly pollIntervalMs?: number;
  /** How often the environment file's stat is checked. */
  readonly watchIntervalMs?: number;
  readonly maxBodyBytes?: number;
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
  readonly controller: DeploymentController;
  readonly metrics: ServerMetrics;
  readonly events: EventSender;
  /** Re-reads the environment file now. */
  reload(): Promise<void>;
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
  const controller = createDeploymentController({
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
  const metrics = createServerMetrics(() => controller.exported());
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

  // Reloads run one at a time; a change seen during a reload triggers one more.
  let reloading: Promise<void> | null = null;
  let again = false;
  let lastText: string | undefined;
  async function reloadFrom(read: () => Promise<{ file: string; text: string } | null>): Promise<void> {
    if (reloading !== null) {
      again = true;
      return reloading;
    }
    reloading = (async () => {
      do {
        again = false;
        try {
          const source = await read();
          if (source === null || source.text === lastText) continue;
          const parsed = parseConfigText(source.file, source.text, EnvironmentSpec);
          if (!parsed.ok) throw new ConfigError(parsed.issues);
          await apply(parsed.config.value);
          lastText = source.text;
        } catch (error) {
          logger.error({ err: error }, "reload failed; the current models keep serving");
        }
      } while (again);
    })().finally(() => (reloading = null));
    return reloading;
  }
  const readFile = async (): Promise<{ file: string; text: string }> => {
    const { readFile: read } = await import("node:fs/promises");
    return { file: options.envFile, text: await read(options.envFile, "utf8") };
  };

  const first = await loadConfigFile(options.envFile, EnvironmentSpec);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  try {
    await apply(first.value);
    lastText = (await readFile()).text;
  } catch (error) {
    await new Promise<void>((r) => server.close(() => r()));
    throw error;
  }

  const watchMs = options.watchIntervalMs ?? 500;
  const onChange = (): void => void reloadFrom(readFile);
  watchFile(options.envFile, { interval: watchMs, persistent: false }, onChange);
  const timers: NodeJS.Timeout[] = [];
  const tickMs = Math.max(50, Math.min(1000, (controller.current()?.intervalMs ?? 4000) / 4));
  timers.push(
    setInterval(() => {
      controller.tick();
      publishGauges();
    }, tickMs),
  );
  if (options.pollUrl !== undefined) {
    const pollUrl = options.pollUrl;
    timers.push(
      setInterval(() => {
        void reloadFrom(async () => {
          const response = await fetch(pollUrl, { signal: AbortSignal.timeout(10_000) });
          if (!response.ok) throw new Error(`GET ${pollUrl}: HTTP ${response.status}`);
          return { file: pollUrl, text: await response.text() };
        });
      }, options.pollIntervalMs ?? 30_000),
    );
  }

  let closing: Promise<void> | null = null;
  return {
    url,
    port: address.port,
    controller,
    metrics,
    events,
    reload: () => reloadFrom(readFile),
    close() {
      closing ??= (async () => {
        draining = true;
        unwatchFile(options.envFile, onChange);
        for (const t of timers) clearInterval(t);
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
      })();
      return closing;
    },
  };
}
