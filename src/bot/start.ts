/**
 * Starts the bot: a Probot server with the app loaded, webhooks on
 * `/api/github/webhooks` and alerts on `/api/alerts`, talking to GitHub or
 * a GitHub Enterprise Server (`GHE_HOST`, as Probot reads it).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Probot } from "probot";
import { UsageError } from "../common/errors.js";
import { createLogger, resolveLogFormat, type LogFormat, type Logger } from "../common/logger.js";
import { deriveMarkerKey } from "../github/marker-trust.js";
import { createOctokitClass, type GitHubClientOptions } from "../github/octokit-class.js";
import { createBotApp, type BotAppHandle } from "./app.js";
import { readBotAppOptions, type BotAppOptions } from "./app-options.js";
import { withBoundedErrors } from "./bounded-log.js";
import { readPrivateKey } from "./private-key.js";
import { createWebhookRoute } from "./webhook-route.js";

/** Largest webhook body by default: GitHub's events the app subscribes to are far smaller. */
const DEFAULT_MAX_WEBHOOK_BYTES = 5 * 1024 * 1024;

/** Settings of a bot server. */
export interface StartBotOptions {
  readonly appId: string;
  readonly privateKey: string;
  readonly webhookSecret: string;
  /** REST base URL; GitHub.com when absent, `<proto>://<host>/api/v3` for GHES. */
  readonly baseUrl: string | undefined;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly client: GitHubClientOptions;
  readonly app: BotAppOptions;
  /** Largest webhook body, bytes (`WEBHOOK_MAX_BYTES`). Default 5 MiB. */
  readonly maxWebhookBytes?: number;
}

/** A running bot. */
export interface RunningBot {
  readonly url: string;
  readonly port: number;
  /** Resolves when queued alert work is done. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

function numberFrom(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new UsageError(`${name}=${raw} is not a non-negative number`);
  return value;
}

/** Reads the settings from environment variables (Probot's names where it has them). */
export function readStartBotOptions(env: NodeJS.ProcessEnv): StartBotOptions {
  const appId = env.APP_ID;
  if (!appId) throw new UsageError("APP_ID is not set: the GitHub App's id is needed");
  const privateKey = readPrivateKey(env);
  const webhookSecret = env.WEBHOOK_SECRET;
  if (!webhookSecret) throw new UsageError("WEBHOOK_SECRET is not set: webhooks would be unverifiable");
  const protocol = env.GHE_PROTOCOL ?? "https";
  const baseUrl = env.GHE_HOST ? `${protocol}://${env.GHE_HOST}/api/v3` : undefined;
  const port = numberFrom(env, "PORT") ?? 3000;
  const retries = numberFrom(env, "GITHUB_RETRIES");
  const retryBaseMs = numberFrom(env, "GITHUB_RETRY_BASE_MS");
  const rateLimitUnitMs = numberFrom(env, "GITHUB_RATE_LIMIT_UNIT_MS");
  const maxWebhookBytes = numberFrom(env, "WEBHOOK_MAX_BYTES");
  return {
    ...(maxWebhookBytes === undefined ? {} : { maxWebhookBytes }),
    appId,
    privateKey,
    webhookSecret,
    baseUrl,
    host: env.HOST ?? "127.0.0.1",
    port,
    client: {
      ...(retries === undefined ? {} : { retries }),
      ...(retryBaseMs === undefined ? {} : { retryBaseMs }),
      ...(rateLimitUnitMs === undefined ? {} : { rateLimitUnitMs }),
      spaceWrites: env.GITHUB_SPACE_WRITES !== "false",
    },
    app: readBotAppOptions(env),
  };
}

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => boolean | void | Promise<boolean | void>;

/**
 * Starts the server and resolves once it listens. The HTTP server is ours,
 * not Probot's `Server`, which cannot listen on port 0 (it turns 0 into 3000).
 */
export async function startBot(options: StartBotOptions, baseLog: Logger): Promise<RunningBot> {
  const log = withBoundedErrors(baseLog);
  let handle: BotAppHandle | undefined;
  const probot = new Probot({
    appId: options.appId,
    privateKey: options.privateKey,
    secret: options.webhookSecret,
    log,
    Octokit: createOctokitClass(options.client),
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
  });
  const handlers: NodeHandler[] = [];
  await probot.load(
    createBotApp(
      {
        ...options.app,
        // Markers are sealed even when the settings came from code rather than the environment.
        markerKey: options.app.markerKey ?? deriveMarkerKey(undefined, options.webhookSecret),
      },
      (h) => (handle = h),
    ),
    {
      cwd: process.cwd(),
      addHandler: (handler) => handlers.push(handler),
    },
  );
  const webhooks = createWebhookRoute({
    path: "/api/github/webhooks",
    secret: options.webhookSecret,
    maxBytes: options.maxWebhookBytes ?? DEFAULT_MAX_WEBHOOK_BYTES,
    answerWithinMs: 9_000,
    receive: (event) => probot.webhooks.receive(event as Parameters<typeof probot.webhooks.receive>[0]),
    log,
  });
  const chain: NodeHandler[] = [
    webhooks,
    ...handlers,
    (req, res) => {
      if (req.url === "/ping") {
        res.writeHead(200, { "content-type": "text/plain" }).end("PONG");
        return true;
      }
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" }));
      return true;
    },
  ];
  // Checked every second, so a client that never finishes its headers or body is cut off in time.
  const server = createServer({ connectionsCheckingInterval: 1_000 }, (req, res) => {
    void (async () => {
      for (const handler of chain) if (await handler(req, res)) return;
    })().catch((error: unknown) => {
      log.error({ err: error }, "request failed");
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  // A client that never finishes its headers or body cannot hold a socket, as on the model server.
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`;
  log.info({ url }, "Meta-Controller bot listening");
  return {
    url,
    port,
    idle: () => handle?.queue.idle() ?? Promise.resolve(),
    async stop() {
      await new Promise<void>((resolve) => {
        server.closeIdleConnections();
        server.close(() => resolve());
      });
      await handle?.queue.idle();
    },
  };
}

/**
 * Runs the bot as a process: reads the environment, starts the server,
 * prints one line `listening on <url>` on stdout, as `serve` does (so
 * supervisors and tests learn the port), and stops cleanly on SIGINT/SIGTERM.
 * Logs follow the CLI's rule: pretty unless `--log-format json` or
 * `LOG_FORMAT=json` asks for JSON.
 */
export async function runBotProcess(
  env: NodeJS.ProcessEnv,
  overrides: { port?: number; host?: string; logFormat?: LogFormat } = {},
): Promise<RunningBot> {
  const { logFormat, ...listen } = overrides;
  const settings = readStartBotOptions(env);
  const log = createLogger({ format: logFormat ?? resolveLogFormat(undefined, env) });
  const bot = await startBot({ ...settings, ...listen }, log);
  process.stdout.write(`listening on ${bot.url}\n`);
  const stop = () => {
    void bot.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return bot;
}
